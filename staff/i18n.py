"""Vietnamese for the workspace: sqladmin's template strings, WTForms' messages, labels.

sqladmin's templates call ``_()``/``gettext``; :func:`install` points those at
:data:`SQLADMIN_VI` (sqladmin ships no Vietnamese catalogue, and a dict needs no
compiled ``.mo`` file). Strings missing from the dict show in English.
"""

from __future__ import annotations

from typing import Any

from procedures_catalog.records import LEVEL_LABELS, ONLINE_LABELS

SQLADMIN_VI: dict[str, str] = {
    "List": "Danh sách",
    "Details": "Chi tiết",
    "Create": "Tạo mới",
    "Edit": "Sửa",
    "Delete": "Xóa",
    "Export": "Xuất",
    "Import": "Nhập",
    "Access": "Quyền",
    "Page": "Trang",
    "Permissions": "Quyền",
    "New %(name)s": "Thêm %(name)s",
    "Cancel": "Hủy",
    "Save": "Lưu",
    "Save and continue editing": "Lưu và sửa tiếp",
    "Save and add another": "Lưu và thêm mới",
    "Column": "Trường",
    "Value": "Giá trị",
    "Go Back": "Quay lại",
    "Edit %(name)s": "Sửa %(name)s",
    "Save as new": "Lưu thành bản mới",
    "Logout": "Đăng xuất",
    "Language": "Ngôn ngữ",
    "Import CSV": "Nhập CSV",
    "You are not authorized to view these records.": "Bạn không có quyền xem mục này.",
    "Actions": "Thao tác",
    "Delete selected items": "Xóa các mục đã chọn",
    "Search": "Tìm",
    "Select all": "Chọn tất cả",
    "Select item": "Chọn",
    "View": "Xem",
    "Showing %(start)s to %(end)s of %(count)s items": "Hiển thị %(start)s–%(end)s trong %(count)s mục",
    "prev": "trước",
    "next": "sau",
    "Show": "Hiện",
    "%(size)s / Page": "%(size)s / trang",
    "Filters": "Lọc",
    "Login to %(title)s": "Đăng nhập %(title)s",
    "Username": "Tên đăng nhập",
    "Enter username": "Nhập tên đăng nhập",
    "Password": "Mật khẩu",
    "Login": "Đăng nhập",
    "Close": "Đóng",
    "Done": "Xong",
    "Clear filter": "Bỏ lọc",
    "Apply Filter": "Lọc",
    "Please confirm": "Xin xác nhận",
    "Yes": "Đồng ý",
    "Refresh list": "Tải lại danh sách",
    "All": "Tất cả",
}

# WTForms' built-in validator messages.
WTFORMS_VI: dict[str, str] = {
    "This field is required.": "Trường này bắt buộc.",
    "Not a valid choice.": "Giá trị không hợp lệ, hãy chọn trong danh sách.",
    "Invalid Choice: could not coerce.": "Giá trị không hợp lệ, hãy chọn trong danh sách.",
    "Not a valid integer value.": "Phải là số nguyên.",
    "Not a valid float value.": "Phải là số.",
    "Invalid input.": "Giá trị không hợp lệ.",
}

FIELD_LABELS: dict[str, str] = {
    "code": "Mã thủ tục",
    "name": "Tên thủ tục",
    "field": "Lĩnh vực",
    "level": "Cấp thực hiện",
    "online_level": "Mức độ trực tuyến",
    "agency": "Cơ quan thực hiện",
    "processing_time": "Thời hạn giải quyết",
    "fees": "Phí, lệ phí",
    "documents": "Thành phần hồ sơ",
    "steps": "Trình tự thực hiện",
    "legal_basis": "Căn cứ pháp lý",
    "result": "Kết quả",
    "requirements": "Yêu cầu, điều kiện",
    "issuing_body": "Cơ quan ban hành",
    "detail_url": "Trang thủ tục trên Cổng DVC",
    "level_source": "Nguồn của cấp thực hiện",
    "online_source": "Nguồn của mức độ trực tuyến",
    "level_portal": "Cấp thực hiện (theo Cổng DVC)",
    "online_portal": "Mức độ (theo Cổng DVC)",
    "source": "Nhập từ tệp",
    "status": "Trạng thái",
    "aliases": "Tên gọi khác",
    "updated_at": "Cập nhật lúc",
    "created_at": "Tạo lúc",
    "alias": "Tên gọi khác",
    "reason": "Lý do thay đổi",
    # Offices.
    "key": "Mã nơi tiếp nhận",
    "address": "Địa chỉ",
    "hours": "Giờ làm việc",
    "phone": "Điện thoại",
    "email": "Thư điện tử",
    "website": "Trang web",
    "note": "Ghi chú",
    "is_sample": "Thông tin mẫu (chưa xác minh)",
}
OFFICE_NAMES: dict[str, str] = {**LEVEL_LABELS, "hotline": "Đường dây nóng"}
STATUS_LABELS: dict[str, str] = {"active": "Đang áp dụng", "retired": "Đã bãi bỏ"}
ACTION_LABELS: dict[str, str] = {
    "create": "Thêm mới",
    "update": "Sửa",
    "retire": "Bãi bỏ",
    "restore": "Khôi phục",
    "alias_add": "Thêm tên gọi khác",
    "alias_remove": "Bỏ tên gọi khác",
}
ROLE_LABELS: dict[str, str] = {"editor": "Biên tập", "viewer": "Chỉ xem"}
CHANNEL_LABELS: dict[str, str] = {
    "rest": "REST", "socketio": "Web chat", "webchat": "Web chat", "telegram": "Telegram",
    "zalo": "Zalo", "unknown": "Khác", "cmdline": "Dòng lệnh",
}
OUTCOME_LABELS: dict[str, str] = {
    "answered": "Đã trả lời",
    "choices": "Chưa chắc, hỏi lại",
    "not_found": "Không tìm thấy",
    "fallback": "Không hiểu",
    "handoff": "Chuyển cán bộ",
    "stats": "Số liệu",
    "portal_help": "Hướng dẫn DVC",
    "smalltalk": "Chào hỏi",
    "out_of_scope": "Ngoài phạm vi",
}
CATEGORY_LABELS: dict[str, str] = {
    "answered": "Trả lời được",
    "unsure": "Chưa chắc (hỏi lại)",
    "fell_back": "Không trả lời được",
    "handed_over": "Chuyển cán bộ",
}
REASON_LABELS: dict[str, str] = {
    "wrong_procedure": "Sai thủ tục",
    "missing_info": "Thiếu thông tin",
    "unclear": "Khó hiểu",
    "other": "Khác",
}
LEVEL_CHOICES = [(key, label) for key, label in LEVEL_LABELS.items()]
ONLINE_CHOICES = [(key, label) for key, label in ONLINE_LABELS.items()]


def gettext(message: str) -> str:
    """Vietnamese for one of sqladmin's strings (English if unknown)."""
    return SQLADMIN_VI.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Vietnamese has one plural form."""
    return gettext(singular if n == 1 else plural)


class WTFormsTranslations:
    """The translations object WTForms asks its ``Meta`` for."""

    def gettext(self, message: str) -> str:
        return WTFORMS_VI.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


def install(env: Any) -> None:
    """Make a Jinja environment (sqladmin's) speak Vietnamese."""
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
