"""Standard workbooks written from the forms declaration and the programme (XlsxWriter)."""

from cxexcel.template.builder import build_templates, build_workbook
from cxexcel.template.naming import template_filename
from cxexcel.template.regions import find_region, similar_regions

__all__ = ["build_templates", "build_workbook", "find_region", "similar_regions", "template_filename"]
