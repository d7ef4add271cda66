"""The Office add-in manifest of xlwings Server mode: Russian ribbon buttons for the server's actions."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from cxexcel.addin.actions_table import ACTION_SPECS, ActionSpec
from cxexcel.forms import catalog

# one fixed id: Excel recognises a new manifest for the same server as an update, not a second add-in
MANIFEST_ID = "fe4586dd-5c0a-4d0f-95a9-b6199e00696f"
MANIFEST_VERSION = "1.0.0.0"
ADDIN_NAME = "Клиентский опыт: проверка"
ADDIN_DESCRIPTION = ("Проверка книг пилотной апробации системы управления клиентским опытом "
                     "по стандарту cxexcel: ошибки в ячейках, переход по ним, списки, панель.")
TAB_LABEL = catalog.ADDIN_TAB
GROUP_LABEL = "Проверка по стандарту"
TASKPANE_LABEL = "Панель задач"
TASKPANE_TIP = "Открыть панель надстройки с кнопками и пояснениями"
ICON_SIZES = (16, 32, 80)
# Office limits: ShortString 125 characters, LongString 250
SHORT_LIMIT, LONG_LIMIT = 125, 250
OVERRIDES_NS = "http://schemas.microsoft.com/office/taskpaneappversionoverrides"


def server_actions() -> tuple[ActionSpec, ...]:
    """The actions the server offers: all but the desktop-only ones."""
    return tuple(spec for spec in ACTION_SPECS if not spec.desktop_only)


def _attr(text: str, limit: int | None = None) -> str:
    return quoteattr(text[:limit] if limit else text)


def _button(control_id: str, label_id: str, tip_id: str, action: str) -> str:
    return f"""
                <Control xsi:type="Button" id="{control_id}">
                  <Label resid="{label_id}" />
                  <Supertip>
                    <Title resid="{label_id}" />
                    <Description resid="{tip_id}" />
                  </Supertip>
                  <Icon>
                    <bt:Image size="16" resid="Icon.16" />
                    <bt:Image size="32" resid="Icon.32" />
                    <bt:Image size="80" resid="Icon.80" />
                  </Icon>
                  {action}
                </Control>"""


def render_manifest(public_url: str) -> str:
    """The manifest XML for a server reachable at `public_url` (scheme, host, port and path)."""
    base = public_url.rstrip("/")
    origin = base.split("/", 3)
    origin_url = "/".join(origin[:3])
    taskpane = f"{base}/taskpane.html"
    controls = []
    short_strings = [
        f'<bt:String id="Tab.Label" DefaultValue={_attr(TAB_LABEL, SHORT_LIMIT)} />',
        f'<bt:String id="Group.Label" DefaultValue={_attr(GROUP_LABEL, SHORT_LIMIT)} />',
        f'<bt:String id="Taskpane.Label" DefaultValue={_attr(TASKPANE_LABEL, SHORT_LIMIT)} />',
    ]
    long_strings = [f'<bt:String id="Taskpane.Tip" DefaultValue={_attr(TASKPANE_TIP, LONG_LIMIT)} />']
    for spec in server_actions():
        label_id, tip_id = f"{spec.id}.Label", f"{spec.id}.Tip"
        action = ('<Action xsi:type="ExecuteFunction">\n'
                  f"                    <FunctionName>{spec.id}</FunctionName>\n"
                  "                  </Action>")
        controls.append(_button(f"Btn.{spec.id}", label_id, tip_id, action))
        short_strings.append(f'<bt:String id="{label_id}" DefaultValue={_attr(spec.label, SHORT_LIMIT)} />')
        long_strings.append(f'<bt:String id="{tip_id}" DefaultValue={_attr(spec.screentip, LONG_LIMIT)} />')
    controls.append(_button("Btn.taskpane", "Taskpane.Label", "Taskpane.Tip",
                            '<Action xsi:type="ShowTaskpane">\n'
                            "                    <TaskpaneId>CxexcelTaskpane</TaskpaneId>\n"
                            '                    <SourceLocation resid="Taskpane.Url" />\n'
                            "                  </Action>"))
    icons = "\n".join(
        f'        <bt:Image id="Icon.{size}" DefaultValue="{base}/static/images/icons/xlwings-{size}.png" />'
        for size in ICON_SIZES)
    nl = "\n        "
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0"
  xmlns:ov="{OVERRIDES_NS}" xsi:type="TaskPaneApp">
  <Id>{MANIFEST_ID}</Id>
  <Version>{MANIFEST_VERSION}</Version>
  <ProviderName>cxexcel</ProviderName>
  <DefaultLocale>ru-RU</DefaultLocale>
  <DisplayName DefaultValue={_attr(ADDIN_NAME)} />
  <Description DefaultValue={_attr(ADDIN_DESCRIPTION)} />
  <IconUrl DefaultValue="{base}/static/images/icons/xlwings-32.png" />
  <HighResolutionIconUrl DefaultValue="{base}/static/images/icons/xlwings-64.png" />
  <SupportUrl DefaultValue="{base}/" />
  <AppDomains>
    <AppDomain>{origin_url}</AppDomain>
  </AppDomains>
  <Hosts>
    <Host Name="Workbook" />
  </Hosts>
  <Requirements>
    <Sets DefaultMinVersion="1.1">
      <Set Name="SharedRuntime" MinVersion="1.1" />
    </Sets>
  </Requirements>
  <DefaultSettings>
    <SourceLocation DefaultValue="{taskpane}" />
  </DefaultSettings>
  <Permissions>ReadWriteDocument</Permissions>
  <VersionOverrides xmlns="{OVERRIDES_NS}" xsi:type="VersionOverridesV1_0">
    <Hosts>
      <Host xsi:type="Workbook">
        <Runtimes>
          <Runtime resid="Taskpane.Url" lifetime="long" />
        </Runtimes>
        <DesktopFormFactor>
          <FunctionFile resid="Taskpane.Url" />
          <ExtensionPoint xsi:type="PrimaryCommandSurface">
            <CustomTab id="CxexcelTab">
              <Group id="CxexcelGroup">
                <Label resid="Group.Label" />
                <Icon>
                  <bt:Image size="16" resid="Icon.16" />
                  <bt:Image size="32" resid="Icon.32" />
                  <bt:Image size="80" resid="Icon.80" />
                </Icon>{"".join(controls)}
              </Group>
              <Label resid="Tab.Label" />
            </CustomTab>
          </ExtensionPoint>
        </DesktopFormFactor>
      </Host>
    </Hosts>
    <Resources>
      <bt:Images>
{icons}
      </bt:Images>
      <bt:Urls>
        <bt:Url id="Taskpane.Url" DefaultValue="{taskpane}" />
      </bt:Urls>
      <bt:ShortStrings>
        {nl.join(short_strings)}
      </bt:ShortStrings>
      <bt:LongStrings>
        {nl.join(long_strings)}
      </bt:LongStrings>
    </Resources>
  </VersionOverrides>
</OfficeApp>
"""
