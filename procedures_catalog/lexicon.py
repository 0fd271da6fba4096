"""The words citizens use, and how they map onto the catalogue's words.

All patterns work on *folded* text (see :func:`procedures_catalog.normalize.fold`).
Three kinds of knowledge live here:

* **Rewrite rules** turn a need described in everyday words into the catalogue's
  terms ("con mới sinh" → "đăng ký khai sinh", "sổ đỏ" → "giấy chứng nhận quyền sử
  dụng đất"). They are general: they name situations and things, not questions.
* **Fillers and aspect words** ("cho em hỏi", "ở đâu", "lệ phí bao nhiêu") say what
  the citizen wants to know about a procedure, not which one; they are dropped.
* **Variant markers** ("có yếu tố nước ngoài", "lưu động", "đăng ký lại") mark
  procedures that only win when the citizen's words ask for them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .normalize import fold, strip_marks

# --------------------------------------------------------------------- helpers
_FAMILY = (
    r"(?:ong|ba|cha|me|bo|tia|ma|ba noi|ong noi|ba ngoai|ong ngoai|chong|vo|anh|chi|em|"
    r"con|chau|co|chu|bac|di|cau|thim|mo|duong|nguoi nha|nguoi than|ba gia|ong gia|"
    r"ba xa|ong xa|ba con|hang xom|ong ba|bo me|cha me|ba ma|tia ma|ong cu|ba cu|cu)"
)
_LOSE = r"(?:mat|bi mat|lam mat|danh mat|danh rot|lam rot|roi mat|that lac|bi trom|bi lay|cuop mat|mat tieu|chay|bi chay|chay mat)"
_DAMAGE = r"(?:rach|bi rach|hu|bi hu|hong|bi hong|uot|bi uot|mo|nhoe|cu nat|nat|ua)"
_OWN = r"(?:cua (?:toi|tui|minh|em|con|ba|me|ong|vo|chong|nha))?"

LEVEL_MARKER_RE = re.compile(
    r"\(?\b(?:thuc hien )?(?:tai |o )?cap (?:tinh|huyen|xa)\b\)?|\b(?:thuc hien tai|o) cap (?:trung uong)\b"
)

# (pattern, replacement). Applied in order on " folded text "; a replacement may be
# matched by later rules. Keep each rule about a situation, not a sentence.
_RULES_SRC: list[tuple[str, str]] = [
    # ---- spelling of whole phrases
    (r"\bso hong\b|\bso do\b|\bso dat\b|\bso nha dat\b|\bgiay do\b|\bbang khoan\b"
     r"|\bgiay chu quyen\b|\bgiay to (?:nha|dat|nha dat)\b|\bgiay (?:nha|dat)\b|\bso trang\b"
     r"|\bgiay chung nhan quyen su dung dat\b|\bgiay chung nhan qsdd\b",
     " giaychungnhan "),
    (r"\bcan cuoc cong dan\b|\bchung minh nhan dan\b|\bchung minh thu\b|\bthe can cuoc\b"
     r"|\bcan cuoc\b|\bcuoc cong dan\b|\bcccd\b",
     " thecancuoc "),
    (r"\bbang lai xe\b|\bbang lai\b|\bbang xe\b|\bgiay phep lai xe\b|\bbang lai oto\b|\bbang (?:a1|a2|b1|b2|c)\b",
     " banglaixe "),
    # ---- losing, damaging, renewing papers
    (_LOSE + r" (?:cai |tam |cuon |quyen )?giaychungnhan\b|\bgiaychungnhan " + _OWN + r" ?(?:bi )?" + _LOSE,
     " cap lai giay chung nhan do bi mat "),
    (r"\bgiaychungnhan " + _OWN + r" ?(?:bi )?" + _DAMAGE + r"|" + _DAMAGE + r" (?:cai |cuon )?giaychungnhan"
     r"|\b(?:doi|cap doi|lam lai|doi lai) (?:cai |cuon )?giaychungnhan\b|\bgiaychungnhan (?:cu|cu qua|mau cu)\b",
     " cap doi giay chung nhan quyen su dung dat "),
    (_LOSE + r" (?:cai |tam )?thecancuoc\b|\bthecancuoc " + _OWN + r" ?(?:bi )?" + _LOSE,
     " cap lai the can cuoc "),
    (r"\bthecancuoc " + _OWN + r" ?(?:bi )?(?:het han|" + _DAMAGE + r"|sai|cu)\b"
     r"|\b(?:doi|cap doi|lam lai|doi lai|doi sang|doi qua) (?:cai |tam )?thecancuoc\b"
     r"|\b(?:het han|" + _DAMAGE + r") (?:cai |tam )?thecancuoc\b",
     " cap doi the can cuoc "),
    (r"^(?!.*\b(?:1[4-9]|[2-9]\d) tuoi\b)(?:.*\b(?:con nit|tre em|tre con|con nho|duoi 14|chua du 14|be|em be|chau be|dua nho|cho con|cho be|cho chau)\b.{0,30}\bthecancuoc\b"
     r"|.*\bthecancuoc\b.{0,30}\b(?:cho con|cho be|cho chau|tre em|con nit|duoi 14|chua du 14|con nho|em be)\b)",
     " cap the can cuoc cho nguoi duoi 14 tuoi "),
    (r"\b(?:lam|cap|xin|dang ky|lam moi) (?:cai |tam )?thecancuoc\b|\bthecancuoc (?:lan dau|moi)\b",
     " cap the can cuoc cho nguoi tu du 14 tuoi tro len "),
    (_LOSE + r" (?:cai |tam )?banglaixe|\bbanglaixe " + _OWN + r" ?(?:bi )?" + _LOSE,
     " cap lai giay phep lai xe "),
    (r"\b(?:doi|cap doi|doi lai|doi sang|doi qua) (?:cai |tam )?banglaixe\b|\bbanglaixe " + _OWN
     + r" ?(?:bi )?(?:het han|" + _DAMAGE + r"|giay|bia|cu)\b|\bbanglaixe (?:pet|the pet)\b",
     " doi giay phep lai xe "),
    (r"\b(?:thi|hoc thi|thi lay|lay|lam|cap|hoc) (?:cai )?banglaixe\b", " cap giay phep lai xe "),
    (r"\b(?:" + _LOSE + r"|" + _DAMAGE + r") (?:cai |to |tam )?giay khai sinh\b"
     r"|\bgiay khai sinh " + _OWN + r" ?(?:bi )?(?:" + _LOSE + r"|" + _DAMAGE + r")"
     r"|\b(?:ban sao|sao|trich luc|xin lai|lam lai|cap lai|them ban) (?:cai |to |1 |mot |2 |hai )?(?:ban )?(?:giay )?khai sinh\b",
     " cap ban sao trich luc ho tich ban sao giay khai sinh "),
    # ---- variants told in everyday words
    (r"\b(?:nguoi|chong|vo|ruoc|lay chong|lay vo|cuoi|voi|o|ben|tu|sinh o|sanh o|qua|di) "
     r"(?:nuoc ngoai|dai loan|han quoc|han|trung quoc|nhat|nhat ban|my|uc|phap|duc|anh|canada|campuchia|"
     r"miên|mien|lao|thai lan|thai|singapore|malaysia|tay)\b|\bviet kieu\b|\bnguoi nuoc ngoai\b|\bo nuoc ngoai\b|\bquoc tich\b",
     " co yeu to nuoc ngoai "),
    (r"\bso (?:bo|goc|ho tich|luu|luu tru)\b.{0,25}\b(?:mat|chay|hu|khong con|that lac|bi mat|rach)\b"
     r"|\b(?:mat|chay|hu|khong con|that lac)\b.{0,15}\bso (?:bo|goc|ho tich|luu)\b|\bdang ky lai\b",
     " dang ky lai "),
    # ---- civil status
    (r"\b(?:moi|vua|mới) (?:sinh|sanh|de|đẻ)\b|\bsinh (?:con|em be|be|chau)\b|\bde (?:con|em be)\b"
     r"|\b(?:co|dc|duoc) (?:em be|chau|con)\b|\bem be\b.{0,20}\b(?:ra doi|moi sinh)\b|\bra doi\b"
     r"|\bgiay khai sinh\b|\blam khai sinh\b|\bkhai sinh cho\b|\bsanh\b|\bsinh duoc\b|\bvo (?:toi |tui |minh |em )?(?:moi |vua )?(?:sinh|de)\b",
     " dang ky khai sinh "),
    (r"\b" + _FAMILY + r"\b(?: \w+){0,3} (?:da |moi |vua |bi |da bi )?(?:mat|qua doi|chet|tu tran|khuat|ta the|di roi|mat roi)\b"
     r"|\b(?:qua doi|tu tran|bao tu|giay bao tu|chet|ta the)\b|\bnguoi (?:chet|mat)\b|\bco nguoi mat\b|\bco dam tang\b|\bdam ma\b",
     " dang ky khai tu "),
    (r"\b(?:cuoi|lay|rước|ruoc) (?:vo|chong|vk|ck)\b|\bcuoi nhau\b|\bdam cuoi\b|\bdam hoi\b|\bgiay hon thu\b"
     r"|\bgiay (?:dang ky )?ket hon\b|\bdang ky cuoi\b|\bvo chong\b.{0,15}\b(?:cuoi|dang ky)\b|\bthanh vo chong\b|\bgiay cuoi\b",
     " dang ky ket hon "),
    (r"\bdoc than\b|\bchua (?:co )?(?:vo|chong)\b|\bchua ket hon\b|\bchua lap gia dinh\b|\bchua cuoi\b"
     r"|\btinh trang hon nhan\b|\bxac nhan (?:hon nhan|doc than|chua vo|chua chong)\b|\bgiay doc than\b",
     " xac nhan tinh trang hon nhan "),
    (r"\bnhan (?:lai )?(?:con|cha|ba|me|bo|tia|ma)\b|\bnhan la (?:con|cha)\b|\bxac nhan cha con\b|\bnhan con ruot\b|\blam cha\b.{0,10}\bgiay\b",
     " dang ky nhan cha me con "),
    (r"\bcon nuoi\b|\bnhan nuoi\b|\bxin nuoi\b", " nuoi con nuoi "),
    (r"\b(?:sai|ghi sai|viet sai|nham|ghi nham|sua|doi|thay doi|cai chinh|bo sung) (?:ten|ho ten|ho|ngay sinh|nam sinh|que quan|dan toc|gioi tinh|thong tin)\b"
     r"(?!.*\b(?:giaychungnhan|thecancuoc|banglaixe|dat)\b)",
     " thay doi cai chinh bo sung thong tin ho tich "),
    # ---- residence
    (r"\b(?:cat|xoa|rut) (?:ten )?(?:ra khoi )?(?:ho khau|khau|thuong tru)\b|\bxoa dang ky thuong tru\b",
     " xoa dang ky thuong tru "),
    (r"\btach (?:ho khau|khau|ho|so ho khau)\b|\bra (?:o )?rieng\b", " tach ho "),
    (r"\b(?:nhap|chuyen|dang ky|len|vao) (?:ho khau|khau)\b|\bho khau\b|\bthuong tru\b|\bnhap khau\b",
     " dang ky thuong tru "),
    (r"\b(?:o tro|thue tro|thue nha|nha tro|phong tro|o nho|o nha nguoi quen|o tam)\b|\btam tru\b", " dang ky tam tru "),
    (r"\btam vang\b|\b(?:di|di lam|di hoc|di xa|vang nha)\b.{0,20}\b(?:lau ngay|thoi gian dai|may thang|nhieu thang)\b",
     " khai bao tam vang "),
    (r"\bxac nhan (?:cu tru|noi o|dia chi)\b|\bgiay xac nhan cu tru\b|\bct ?07\b|\bxac nhan thong tin cu tru\b",
     " xac nhan thong tin ve cu tru "),
    (r"\b(?:khach|ban|nguoi quen|nguoi than) (?:den |toi |ve )?(?:o|ngu) (?:lai|qua dem|nha)\b|\bluu tru\b|\bbao khach\b",
     " thong bao luu tru "),
    # ---- certification
    (r"\bsao y\b|\bphoto (?:cong chung|chung thuc)\b|\b(?:cong chung|chung thuc|thi thuc) (?:ban sao|giay to|bang cap|hoc ba|giay)\b"
     r"|\bban sao (?:cong chung|chung thuc)\b|\bchung thuc ban sao\b",
     " chung thuc ban sao tu ban chinh "),
    (r"\b(?:chung thuc|cong chung|xac nhan|thi thuc) chu ky\b", " chung thuc chu ky "),
    (r"\bdi chuc\b|\bde lai (?:tai san|gia tai)\b", " chung thuc di chuc "),
    (r"\b(?:cong chung|chung thuc) hop dong\b|\bhop dong (?:mua ban|tang cho|cho thue)\b.{0,20}\b(?:cong chung|chung thuc)\b",
     " chung thuc hop dong giao dich "),
    (r"\bly lich tu phap\b|\bly lich\b|\b(?:khong|ko) (?:co )?tien an\b|\btien an tien su\b",
     " cap phieu ly lich tu phap "),
    # ---- land
    (r"\b(?:ban|mua|sang ten|chuyen nhuong|sang|ban lai|mua lai) (?:cai |mieng |thua |lo |cuon |manh |nen |can |mau )?(?:dat|nha|giaychungnhan|dat vuon|dat ruong|nha dat)\b"
     r"|\bsang ten\b|\bchuyen nhuong\b",
     " dang ky bien dong chuyen nhuong quyen su dung dat "),
    (r"\b(?:cho|tang|tang cho|cho lai) (?:con|chau|em|anh|chi|vo|chong)?\s?(?:cai |mieng |thua |lo |manh |mot mieng )?(?:dat|nha)\b",
     " dang ky bien dong tang cho quyen su dung dat "),
    (r"\bthua ke\b|\b(?:huong|nhan|chia) (?:gia tai|tai san|dat)\b.{0,20}\b(?:de lai|mat|qua doi)\b|\bdat\b.{0,25}\bde lai\b",
     " dang ky bien dong thua ke quyen su dung dat "),
    (r"\b(?:tach|chia|cat|xe) (?:so|thua|mieng dat|dat|lo dat|nen|giaychungnhan)\b|\btach thua\b", " tach thua dat "),
    (r"\b(?:gop|nhap|hop) (?:thua|2 thua|hai thua|so|giaychungnhan|dat)\b", " hop thua dat "),
    (r"\b(?:len|chuyen len|chuyen sang|chuyen qua|chuyen thanh|xin len) (?:dat )?(?:tho cu|tho|dat o|dat nha|dat thuong mai)\b"
     r"|\bchuyen (?:dat )?(?:ruong|vuon|nong nghiep|lua|trong lua|trong cay)\b|\bchuyen muc dich\b|\blen tho\b",
     " chuyen muc dich su dung dat "),
    (r"\b(?:tranh chap|gianh|chanh|lan|lan chiem|cai nhau|kien) (?:ve )?(?:dat|ranh|ranh dat|bo ranh|duong di|loi di|ranh gioi)\b"
     r"|\blan ranh\b|\bhoa giai dat\b|\btranh chap dat dai\b",
     " hoa giai tranh chap dat dai "),
    (r"\b(?:lam|xin|cap|dang ky|chua co|lam lan dau|co) (?:cai |cuon )?giaychungnhan\b|\bgiaychungnhan lan dau\b|\bdat chua co giaychungnhan\b",
     " dang ky dat dai cap giay chung nhan quyen su dung dat lan dau ho gia dinh ca nhan "),
    (r"\bthe chap\b|\b(?:vay|muon) (?:ngan hang|von|tien)\b.{0,25}\b(?:dat|giaychungnhan|nha)\b|\b(?:dat|giaychungnhan)\b.{0,25}\bvay\b",
     " dang ky the chap quyen su dung dat "),
    (r"\bgiaychungnhan\b", " giay chung nhan quyen su dung dat "),
    (r"\bthecancuoc\b", " the can cuoc "),
    (r"\bbanglaixe\b", " giay phep lai xe "),
    # ---- building
    (r"\b(?:xay|cat|xay dung|xay moi|xay lai|lam|dung) (?:cai |can )?(?:nha|nha o|nha cap 4|nha tuong|nha lau|lau)\b"
     r"|\b(?:sua|sua chua|nang cap|noi|nang tang|do mai|cai tao|them tang) (?:cai |can )?(?:nha|nha o|lau|tang)\b"
     r"|\bgiay phep xay (?:dung|nha)\b|\bphep xay\b",
     " cap giay phep xay dung nha o rieng le "),
    # ---- business
    (r"\b(?:mo|mở|lam|kinh doanh|buon|ban) (?:cai |1 |mot |them )?(?:tiem|quan|cua hang|sap|tap hoa|shop|quay|xe|tiem tap hoa|quan an|quan nuoc|quan ca phe|quan cafe|quan com|tiem toc|tiem vang|tiem thuoc|tiem banh|lo banh|tiem sua xe)\b"
     r"|\bbuon ban\b|\bban (?:hang|tap hoa|an|nuoc|quan)\b|\blam an\b.{0,10}\bbuon ban\b|\bgiay phep kinh doanh\b|\bdang ky kinh doanh\b|\bkinh doanh nho\b|\bho kinh doanh\b",
     " ho kinh doanh "),
    (r"\b(?:nghi|tam nghi|dong cua|ngung|tam ngung|dung)\b.{0,20}\bho kinh doanh\b|\bho kinh doanh\b.{0,20}\b(?:nghi|tam nghi|dong cua|ngung|tam ngung)\b",
     " tam ngung kinh doanh ho kinh doanh "),
    (r"\b(?:giai the|dep|bo|cham dut|nghi luon|dong cua luon|khong lam nua)\b.{0,20}\bho kinh doanh\b", " cham dut hoat dong ho kinh doanh "),
    (r"\b(?:doi|thay doi|chuyen|sua|them)\b.{0,20}\bho kinh doanh\b|\bho kinh doanh\b.{0,20}\b(?:doi|thay doi|chuyen|them nganh)\b",
     " dang ky thay doi noi dung dang ky ho kinh doanh "),
    (r"\b(?:mo|thanh lap|lap|dang ky) (?:cong ty|doanh nghiep|cty)\b", " dang ky thanh lap doanh nghiep "),
    # ---- social support
    (r"\b(?:nguoi gia|nguoi cao tuoi|tuoi gia|gia yeu|80 tuoi|tren 80|ong ba gia)\b|\btien (?:gia|nguoi gia|tuoi gia)\b",
     " tro cap xa hoi hang thang nguoi cao tuoi "),
    (r"\b(?:khuyet tat|tan tat|tat nguyen|bai liet|mu|diec|cam diec|thieu nang|tam than)\b", " nguoi khuyet tat tro cap xa hoi hang thang "),
    (r"\b(?:mai tang|ma chay|chon cat|tien tang|dam tang)\b", " ho tro chi phi mai tang "),
    (r"\bho (?:ngheo|can ngheo)\b|\bso ngheo\b|\bgiay ngheo\b|\bxin ngheo\b|\bvao dien ngheo\b", " cong nhan ho ngheo ho can ngheo "),
    (r"\b(?:that nghiep|mat viec|nghi viec|bi cho nghi|bi duoi viec|thoi viec)\b", " huong tro cap that nghiep "),
    (r"\bthe bao hiem y te\b|\bthe bhyt\b|\bbao hiem y te\b", " the bao hiem y te "),
    # ---- vehicles and boats
    (r"\b(?:giay dang ky xe|ca vet|cavet|ca ve|cavat|ca vat|giay xe|bien so)\b", " dang ky xe bien so xe "),
    (r"\b(?:ghe|ghe danh ca|tau danh ca|ghe cao|tau ca|thuyen danh ca)\b", " tau ca "),
]


@lru_cache(maxsize=1)
def _rules() -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(src), repl) for src, repl in _RULES_SRC]


# Multi-word fillers and aspect phrases: what is asked about, not which procedure.
_DROP_PHRASES = [
    r"cho (?:em|toi|tui|minh|chau|con|co|hoi) hoi", r"xin hoi", r"cho hoi", r"hoi chut", r"hoi xiu",
    r"lam (?:sao|the nao|ntn|nhu the nao|gi)", r"nhu the nao", r"the nao", r"ra sao", r"sao (?:vay|day)",
    r"(?:nop|lam|di|den|nop ho so|gui|mang) (?:o|tai|toi|den) (?:dau|cho nao|noi nao|co quan nao)",
    r"(?:o|tai|lam|nop|den|di) (?:dau|cho nao|noi nao)", r"cho nao", r"noi nao",
    r"(?:mat|ton|het|la|co mat|co ton) (?:bao lau|may ngay|bao nhieu ngay|bao nhieu tien|may tuan|phi|tien|nhieu tien|nhieu ngay|thoi gian|bao nhieu)",
    r"bao lau", r"may ngay", r"bao nhieu (?:tien|ngay|lau)?", r"bn tien",
    r"(?:le phi|chi phi|phi)(?: (?:bao nhieu|het bao nhieu|la bao nhieu))?",
    r"(?:can|gom|phai co|phai mang|mang|chuan bi|nop) (?:nhung )?(?:giay to|ho so|giay) (?:gi|nao)",
    r"(?:giay to|ho so|thu tuc) (?:gi|nao|ra sao|the nao|gom nhung gi|can gi|can nhung gi)",
    r"can (?:nhung )?gi", r"can mang gi", r"(?:lam|nop|dang ky) (?:online|truc tuyen|qua mang|tren mang)",
    r"online", r"truc tuyen", r"qua mang", r"tren mang", r"tren dien thoai", r"dich vu cong",
    r"(?:co )?(?:duoc|dc) (?:khong|ko|hong|hok|k)", r"duoc khong", r"khong a", r"vay a",
    r"(?:cac|nhung) buoc", r"trinh tu", r"quy trinh",
    r"(?:o|len|ra|tai|cap|di|toi|den|nop) (?:xa|huyen|tinh|phuong)"
    r"(?: hay (?:la )?(?:o |len |ra |tai |cap )?(?:xa|huyen|tinh|phuong))?",
    r"(?:xa|huyen|tinh) (?:lam|giai quyet|cap) (?:duoc )?(?:khong|ko|k|hong)",
    r"thu tuc hanh chinh", r"thu tuc", r"ho so",
]
_DROP_RE = re.compile(r"\b(?:" + "|".join(_DROP_PHRASES) + r")\b")

_LEVEL_HINTS = [
    (re.compile(r"\b(?:cap tinh|o tinh|len tinh|so \w+|tinh tien giang|ubnd tinh|uy ban tinh)\b"), "tinh"),
    (re.compile(r"\b(?:cap huyen|o huyen|len huyen|ra huyen|ubnd huyen|quan huyen)\b"), "huyen"),
    (re.compile(r"\b(?:cap xa|o xa|len xa|ra xa|ubnd xa|uy ban xa|phuong|xa phuong)\b"), "xa"),
]

# Query-word weights. Folding merges words ("đăng"/"đang", "hộ"/"họ", "nhà"/"nha",
# "đỏ"/"do"), so only fillers that stay unambiguous once folded get weight 0; the
# ambiguous ones are merely damped and IDF does the rest.
_ZERO_WEIGHT = set(
    """a ah ak nhe nhen nghen ne vay roi thi la voi khong ko duoc dc gi nao oi ad admin
    shop nhi hen ta phai biet vui hi hello alo nay kia se rat nhieu it chut xiu hom
    ok oke okie uh um giup gium dum""".split()
)
_LOW_WEIGHT = {
    **{w: 0.3 for w in "lam lau muon em minh tia ong lay".split()},
    **{w: 0.5 for w in """sao ma nen cam day gio qua mai moi vua da ngay thang tuan can
       xin cho de den ve ra vao len di cua trong tren duoi nop con anh chau vo cha me ba
       toi nguoi tui""".split()},
    **{w: 0.7 for w in "co bo chi".split()},
}
# Everyday syllables that must never be "repaired" into a catalogue word.
_COMMON = """lay nhan lanh gui a ai am an anh ao ay ba bac bai ban bang bao bat bay be ben bi biet bo bon bot bu bua
bui buon but ca cac cai cam can cang cao cap cau cay chac chan chang chao chat chau che chi chia
chieu chinh cho choi chon chu chua chuc chung chuyen co con cong cu cua cuc cung cuoi da dai dam
dan dang danh dao dap dat day de dem den deu di dia dien dinh do doi don dong du dua dung duoc
duong gan gap gi gia giao giay gio gioi giup giua ha hai han hang hay he het hieu hinh ho hoac hoc
hoi hom hon hop hu hua hung huong it ke keo khac khach khi khien kho khoe khong khu kia kiem kieu
kip la lai lam lan lau le len lien lo loai loi long luc luon ly ma mai man mang mat may me mien
minh mo moi mon mot mua muon nam nao nay ne neu ngan ngay nghe nghi ngoai ngoi nguoi nha nhan nhanh
nhat nhau nhe nhieu nho nhu nhung noi non nua nuoc o ong phai phan phi phong phu qua quan que
ra rang rat re rieng roi rong ruot sang sao sau se so song su sua sung ta tai tam tan tang tao tat
tay the them theo thi thiet thoi thu thuc thuong tien tieng tim tin tinh to toan toi tot tra tren
tri trong truoc tu tuan tuoi tuy tuyet va vai van vao ve vi viec viet voi vua vui xa xay xem xin xong
yeu""".split()

KNOWN_WORDS = sorted(
    _ZERO_WEIGHT
    | set(_LOW_WEIGHT)
    | set(_COMMON)
    | set(
        """online mang truc tuyen zalo vneid email facebook pass mat khau tai khoan
        sinh de mat chet cuoi vo chong con chau be nha dat ruong vuon tiem quan ban mua
        xay sua doi lam moi cu rach hu hong het han tro thue ghe xe bang tap hoa toc
        lylich giay to thu tuc""".split()
    )
)


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Words spelling repair must leave alone: everyday words and the syllables of the
    national procedure texts (data/syllables.txt)."""
    from pathlib import Path

    path = Path(__file__).resolve().parent / "data" / "syllables.txt"
    syllables = set()
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                syllables.add(line.strip())
    return frozenset(KNOWN_WORDS) | frozenset(syllables)


def token_weight(token: str) -> float:
    """Weight of a query token: 0 for fillers, lower for people and generic verbs."""
    if token in _ZERO_WEIGHT:
        return 0.0
    return _LOW_WEIGHT.get(token, 1.0)


def rewrite(tokens: list[str]) -> tuple[list[str], list[str], str | None]:
    """Drop fillers and aspect words, then apply the rewrite rules.

    Args:
        tokens: folded, repaired tokens of the query.

    Returns:
        The tokens without fillers (the citizen's own words), the same after the
        rewrite rules (the catalogue's words), and the level mentioned, if any.
    """
    text = " " + " ".join(tokens) + " "
    level_hint = None
    for pattern, level in _LEVEL_HINTS:
        if pattern.search(text):
            level_hint = level
            break
    # Aspect words go first: "mất bao lâu" must not read as a death.
    text = _DROP_RE.sub(" ", text)
    own = text.split()
    text = " " + " ".join(own) + " "
    for pattern, repl in _rules():
        if pattern.search(text):
            text = " " + " ".join(pattern.sub(repl, text).split()) + " "
    return own, text.split(), level_hint


# Marker phrases of variants: a name carrying one the query does not ask for is a
# ranking feature ("variant_unasked").
VARIANT_MARKERS: tuple[str, ...] = (
    "co yeu to nuoc ngoai", "luu dong", "dang ky lai", "khu vuc bien gioi", "ket hop",
    "nguoi da co ho so giay to ca nhan", "lien thong", "nguoi nuoc ngoai", "cap trung uong",
    "ghi vao so ho tich", "quan doi", "cong an nhan dan", "trong truong hop", "to chuc",
    "doanh nghiep", "du an",
)
_VARIANT_RE = re.compile(r"\b(" + "|".join(re.escape(k) for k in VARIANT_MARKERS) + r")\b")


def variant_markers(folded: str) -> set[str]:
    """The variant markers present in a folded text."""
    return set(_VARIANT_RE.findall(folded))


# Procedures whose name starts with one of these actions are variants of a base
# procedure ("Cấp lại …" of "Cấp …"); they win only when the words ask for them,
# in any of the ways the pattern accepts.
_ACTION_WORDS: dict[str, str] = {
    "cap lai": r"cap lai|lam lai|xin lai|mat|that lac|hu|hong|rach|chay|bi lay|trom",
    "cap doi": r"cap doi|doi|het han|cu|hu|hong|rach|sai|mo|mau moi",
    "doi": r"doi|het han|cu|hu|hong|rach|mau moi",
    "gia han": r"gia han|het han|keo dai|them thoi gian|qua han",
    "cap dieu chinh": r"dieu chinh|sua|doi|thay doi|cap nhat|them",
    "dieu chinh": r"dieu chinh|sua|doi|thay doi|cap nhat|sai",
    "thay doi": r"thay doi|doi|sua|chuyen|them|bot|bo sung|cap nhat",
    "thu hoi": r"thu hoi|bi thu|tich thu|rut",
    "cham dut": r"cham dut|nghi luon|dep|giai the|dong cua|thoi|khong lam nua|ngung",
    "tam ngung": r"tam ngung|tam nghi|nghi|ngung|dong cua|tam dung",
    "tam dung": r"tam dung|tam ngung|tam nghi|nghi|ngung|dung",
    "xoa": r"xoa|cat|huy|rut|bo",
    "huy": r"huy|xoa|bo",
    "giai the": r"giai the|dep|dong cua|cham dut",
    "dang ky lai": r"dang ky lai|lam lai|dang ky lai|so bo|so goc|so ho tich",
    "dinh chinh": r"dinh chinh|sai|sua|nham",
    "sua doi": r"sua|doi|thay doi|dieu chinh",
    "cap ban sao": r"ban sao|sao|trich luc|them ban",
    "tiep tuc": r"tiep tuc|lai|mo lai|hoat dong lai",
    "mo khoa": r"mo khoa|mo lai|bi khoa",
}
_ACTION_ORDER = sorted(_ACTION_WORDS, key=len, reverse=True)
_ACTION_RES = {a: re.compile(rf"\b(?:{w})\b") for a, w in _ACTION_WORDS.items()}


_NAME_VERB = re.compile(r"^(?:dang ky|thong bao|de nghi|to khai|giai quyet|thu tuc)\s+")


def leading_action(folded_name: str) -> str | None:
    """The variant action a name starts with ("cap lai", "gia han"...), if any.

    "Đăng ký thay đổi …", "Thông báo tạm ngừng …" count as their second verb.
    """
    text = _NAME_PREFIX.sub("", folded_name)
    text = _NAME_VERB.sub("", text)
    for action in _ACTION_ORDER:
        if text == action or text.startswith(action + " "):
            return action
    return None


def action_expressed(action: str, folded_query: str) -> bool:
    """Whether the citizen's words ask for ``action`` (directly or in everyday words)."""
    return bool(_ACTION_RES[action].search(folded_query))


_NAME_PREFIX = re.compile(r"^(?:thu tuc|trinh tu thu tuc|trinh tu)\s+")

# Situations a curated alias may name ("mất sổ đỏ", "đổi bằng lái hết hạn"): an alias
# that names one only matches well when the citizen's words name it too. Each group:
# (words in the alias, words in the query that express it).
_ALIAS_MARKERS: dict[str, tuple[str, str]] = {
    # Lost or damaged papers are both replaced by a "cấp lại".
    "replace": (r"mất|bị mất|thất lạc|làm lại|cấp lại|xin lại|làm mất|rơi mất|rách|hư|hỏng|bị cháy|cháy mất|nhòe|mờ chữ|bị ướt",
                r"mat|that lac|lam lai|cap lai|xin lai|roi|trom|chay|cuop|moc|khong con|khong thay|rach|hu|hong|nhoe|mo|uot|gay|nat|cu"),
    "renew": (r"hết hạn|gia hạn|cấp đổi|đổi mới|đổi sang|đổi qua",
              r"het han|gia han|doi|sap het|qua han|keo dai|mau moi|cu"),
    "change": (r"thay đổi|sửa|điều chỉnh|cập nhật|đổi tên|đổi địa chỉ|đổi chủ|thêm tên|bớt tên",
               r"thay doi|sua|dieu chinh|cap nhat|doi|sai|them|bot|chuyen|nham"),
    "stop": (r"tạm ngừng|tạm nghỉ|nghỉ bán|giải thể|chấm dứt|đóng cửa|ngừng|dẹp|thôi",
             r"tam ngung|tam nghi|nghi|giai the|cham dut|dong cua|ngung|dep|thoi|khong lam|khong ban"),
    "remove": (r"xóa|xoá|hủy bỏ|huỷ bỏ|thu hồi|cắt tên", r"xoa|huy|thu hoi|cat|rut|bo"),
    "foreign": (r"nước ngoài|việt kiều|đài loan|hàn quốc|trung quốc|nhật bản|campuchia|ngoại quốc",
                r"nuoc ngoai|viet kieu|dai loan|han|trung quoc|nhat|my|uc|phap|campuchia|lao|thai|ngoai quoc|quoc tich|tay"),
    "reregister": (r"đăng ký lại|sổ bộ|sổ gốc", r"dang ky lai|lam lai|so bo|so goc|so ho tich|mat so"),
    "copy": (r"bản sao|trích lục|sao y", r"ban sao|sao|trich luc|them ban"),
}
# Alias patterns read the accented text (aliases are written with accents): folded,
# "sổ hồng" would read as "hỏng" and "vắng mặt" as "mất".
_ALIAS_MARKER_RES = {
    g: (re.compile(rf"(?<!\w)(?:{a})(?!\w)"), re.compile(rf"\b(?:{q})\b"))
    for g, (a, q) in _ALIAS_MARKERS.items()
}
_ALIAS_MARKER_FOLDED = {
    g: re.compile(r"\b(?:" + "|".join(fold(x) for x in a.split("|")) + r")\b")
    for g, (a, _) in _ALIAS_MARKERS.items()
}


def alias_markers(alias: str) -> frozenset[str]:
    """The situations an alias names (see ``_ALIAS_MARKERS``).

    Reads the accented, lower-case alias; an alias typed without accents is read folded.
    """
    text = unicodedata.normalize("NFC", alias).lower()
    if strip_marks(text) == text:
        return frozenset(g for g, pattern in _ALIAS_MARKER_FOLDED.items() if pattern.search(text))
    return frozenset(g for g, (pattern, _) in _ALIAS_MARKER_RES.items() if pattern.search(text))


def marker_expressed(group: str, folded_query: str) -> bool:
    """Whether the citizen's words name the situation ``group``."""
    return bool(_ALIAS_MARKER_RES[group][1].search(folded_query))


def strip_name(folded_name: str) -> list[str]:
    """Tokens of a folded procedure name used for matching (no "thủ tục", no level tag)."""
    text = _NAME_PREFIX.sub("", folded_name)
    text = LEVEL_MARKER_RE.sub(" ", text)
    return text.split()
