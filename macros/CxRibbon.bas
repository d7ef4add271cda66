Attribute VB_Name = "CxRibbon"
' cxexcel: the ribbon callback of the desktop add-in.
' Every button of the ribbon (customUI.xml) calls CxAction; the button's id names the action,
' and Python runs it: cxexcel.addin.run(id). RunPython comes from the xlwings module that
' `cxexcel addin build` takes from the installed xlwings (its custom add-in module): it passes
' ActiveWorkbook to Python, so xw.Book.caller() is the user's workbook, not this add-in.
' The ids below must match cxexcel/addin/actions_table.py and customUI.xml (a test checks it).
Option Explicit

' `control As Object` rather than IRibbonControl: late binding needs no reference to the
' Office type library, whose path and version differ from one installation to another.
Public Sub CxAction(control As Object)
    Dim actionId As String
    actionId = control.Id

    Select Case actionId
        Case "check_workbook", "clear_marks", "next_issue", "refresh_lists", "dashboard"
        Case "consolidate_folder"
        Case Else
            MsgBox "Неизвестная команда надстройки: " & actionId & "." & vbNewLine & _
                   "Обновите надстройку cxexcel.", vbExclamation, "cxexcel"
            Exit Sub
    End Select

    ' RunPython reads the active workbook's name and folder; without one it would stop with a VBA error
    If ActiveWorkbook Is Nothing Then
        MsgBox "Откройте книгу, с которой нужно работать, и нажмите кнопку еще раз." & vbNewLine & _
               "Если книга открыта в режиме защищенного просмотра, сначала нажмите " & _
               "«Разрешить редактирование».", vbInformation, "cxexcel"
        Exit Sub
    End If

    ' only a known id reaches the command line, so nothing typed by a user is ever run
    RunPython "import cxexcel.addin; cxexcel.addin.run('" & actionId & "')"
End Sub
