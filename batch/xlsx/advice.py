"""What a message about a workbook that cannot be used tells the user to do next.

The package guard, the shared strings check, the package reader and the table reader end
their one-line messages with one of these, so a user meets the same advice for the same kind
of trouble. (The writer's own damage message, met only when the file changed between the
read and the save, still says just "restore it from a backup".)
"""

from __future__ import annotations

# The file is not an .xlsx Excel can write (an .xls, a CSV, damage Excel repairs on opening).
RESAVE = "open it in Excel and save it again as .xlsx (Excel Workbook)"
# The file is damaged or hostile: the user's last good copy is the way back.
RESTORE = "restore it from a backup or save it again from Excel"
