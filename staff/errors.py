"""Vietnamese messages for the catalogue's errors, naming the file, row and field.

The catalogue library speaks English to developers and the command line; staff in
the web workspace read these instead. Unknown messages keep their English text
behind a Vietnamese lead-in rather than being hidden.
"""

from __future__ import annotations

import re

from procedures_catalog.accounts import AccountError
from procedures_catalog.records import CatalogError, RecordError
from procedures_catalog.service import InvalidChange, NotFound

from .i18n import FIELD_LABELS

_LEVELS = "cấp tỉnh (tinh), cấp huyện (huyen) hoặc cấp xã (xa)"
_ONLINE = "chỉ thông tin (thong_tin), một phần (mot_phan) hoặc toàn trình (toan_trinh)"

# (pattern of the English message, Vietnamese template using the pattern's groups).
_MESSAGES: list[tuple[re.Pattern[str], str]] = [(re.compile(p), t) for p, t in [
    (r"^missing procedure code$", "thiếu mã thủ tục"),
    (r"^missing procedure name$", "thiếu tên thủ tục"),
    (r"^invalid procedure code (.+)$", "mã thủ tục {0} không đúng dạng (ví dụ đúng: 1.001193)"),
    (r"^level (.+) is not one of tinh, huyen, xa$", "cấp thực hiện {0} không hợp lệ; phải là " + _LEVELS),
    (r"^online level (.+) is not one of thong_tin, mot_phan, toan_trinh$",
     "mức độ trực tuyến {0} không hợp lệ; phải là " + _ONLINE),
    (r"^duplicate code (\S+) \(first seen at (?:row )?(.+)\)$", "mã {0} bị trùng (đã có ở {1})"),
    (r"^file not found$", "không tìm thấy tệp"),
    (r"^no procedures found in the file$", "tệp không có thủ tục nào"),
    (r"^the file is empty$", "tệp rỗng"),
    (r"^the file is not UTF-8 encoded", "tệp không lưu bằng mã UTF-8 (trong Excel, chọn Lưu thành “CSV UTF-8”)"),
    (r"^damaged gzip file", "tệp nén .gz bị hỏng"),
    (r"^no 'code' and 'name' columns in the header$", "dòng tiêu đề thiếu cột “code” và “name”"),
    (r"^no header row with 'code' and 'name' columns$", "không thấy dòng tiêu đề có cột “code” và “name”"),
    (r"^no header row with 'Mã số' and 'Tên' columns$", "không thấy dòng tiêu đề có cột “Mã số” và “Tên”"),
    (r"^(\d+) cells but the header has (\d+) columns$", "dòng có {0} ô nhưng tiêu đề chỉ có {1} cột"),
    (r"^cannot read the spreadsheet", "không đọc được bảng tính (tệp XLSX bị hỏng hoặc không trọn vẹn)"),
    (r"^a record must be a JSON object$", "mỗi bản ghi phải là một đối tượng JSON"),
    (r"^the portal returned no record \((.*)\)$", "Cổng DVC không trả về bản ghi ({0})"),
    (r"^not a procedure record from the portal", "không phải bản ghi thủ tục của Cổng DVC (cấu trúc JSON lạ)"),
    (r"^invalid JSON: (.+)$", "JSON không hợp lệ ({0})"),
    (r"^unknown file type", "loại tệp không hỗ trợ; chỉ nhận .csv, .csv.gz, .xlsx, .json hoặc .jsonl"),
    (r"^a reason is required", "cần ghi lý do thay đổi"),
    (r"^say who makes the change", "chưa rõ ai thực hiện thay đổi"),
    (r"^the name cannot be empty$", "tên thủ tục không được để trống"),
    (r"^level must be one of", "cấp thực hiện phải là " + _LEVELS),
    (r"^online_level must be one of", "mức độ trực tuyến phải là " + _ONLINE),
    (r"^unknown field '(.+)'", "không sửa được trường “{0}”"),
    (r"^no procedure with code '(.+)'$", "không có thủ tục mã {0}"),
    (r"^the alias is empty$", "tên gọi khác không được để trống"),
    (r"^the office name cannot be empty$", "tên nơi tiếp nhận không được để trống"),
    (r"^office must be one of", "nơi tiếp nhận phải là tinh, huyen, xa hoặc hotline"),
    (r"^office field must be one of", "không sửa được thông tin này của nơi tiếp nhận"),
    (r"^status must be", "trạng thái phải là đang áp dụng hoặc đã bãi bỏ"),
    (r"^export to \.csv", "chỉ xuất được .csv, .csv.gz hoặc .xlsx"),
    (r"^the password must have at least (\d+) characters$", "mật khẩu phải có ít nhất {0} ký tự"),
]]


def message_vi(message: str) -> str:
    """The Vietnamese for one English catalogue message."""
    for pattern, template in _MESSAGES:
        match = pattern.search(message)
        if match:
            return template.format(*match.groups())
    return f"lỗi: {message}"


def field_vi(field: str) -> str:
    """A field's Vietnamese label with its column name, e.g. “Cấp thực hiện” (level)."""
    label = FIELD_LABELS.get(field)
    if label:
        return f"“{label}” ({field})"
    match = re.match(r"^column (\d+)$", field)
    return f"cột số {match.group(1)}" if match else f"“{field}”"


def _row_vi(row: int | str) -> str:
    text = str(row)
    match = re.match(r"^line (\d+)$", text)
    return f"dòng {match.group(1) if match else text}"


def error_vi(exc: BaseException) -> str:
    """A Vietnamese sentence for a catalogue error: which file, row and field, and what.

    Examples:
        ``tiengiang.csv, dòng 3, trường “Cấp thực hiện” (level): cấp thực hiện
        'tỉnh thành' không hợp lệ; phải là cấp tỉnh (tinh), …``
    """
    if isinstance(exc, RecordError):
        where = []
        if exc.source:
            where.append(f"Tệp {exc.source}")
        if exc.row is not None:
            where.append(_row_vi(exc.row))
        if exc.field:
            where.append(f"trường {field_vi(exc.field)}")
        prefix = ", ".join(where)
        text = message_vi(exc.message)
        return f"{prefix}: {text}" if prefix else text[:1].upper() + text[1:]
    if isinstance(exc, (InvalidChange, NotFound, AccountError, CatalogError)):
        text = message_vi(str(exc))
        return text[:1].upper() + text[1:]
    return "Đã có lỗi, chưa thay đổi gì. Hãy thử lại hoặc báo cho quản trị."
