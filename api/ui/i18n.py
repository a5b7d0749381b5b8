"""Interface strings in Chinese (the default) and English. A dict, not an i18n framework: the UI is small,
and a missing English string falls back to the key so it shows up in review instead of crashing a page."""

from __future__ import annotations

from starlette.requests import Request

LANGS = ("zh", "en")
LANG_COOKIE = "fapiao_lang"

STRINGS: dict[str, tuple[str, str]] = {
    "app": ("发票复核", "Invoice review"),
    "nav.queue": ("待复核队列", "Queue"),
    "nav.upload": ("上传", "Upload"),
    "nav.logout": ("退出", "Log out"),
    "nav.lang": ("English", "中文"),
    "nav.signed_in": ("当前用户", "Signed in as"),
    "login.title": ("登录", "Log in"),
    "login.key": ("API 密钥", "API key"),
    "login.help": ("粘贴管理员发给您的 API 密钥（用 fapiao keys create 生成）。密钥不会保存在浏览器中。",
                   "Paste the API key you were given (made with fapiao keys create). The key is not stored in the browser."),
    "login.submit": ("登录", "Log in"),
    "login.bad": ("密钥无效或已吊销。", "The key is unknown or revoked."),
    "forbidden.title": ("无权访问", "Not allowed"),
    "forbidden.body": ("此页面需要 {need} 角色，您的密钥是 {have}。", "This page needs the {need} role; your key has {have}."),
    "queue.title": ("待复核队列", "Review queue"),
    "queue.filters": ("筛选", "Filters"),
    "queue.search": ("搜索（号码、代码、名称或税号）", "Search (number, code, name or tax ID)"),
    "queue.status": ("判定", "Decision"),
    "queue.review": ("复核状态", "Review state"),
    "queue.seller": ("销售方（名称或税号）", "Seller (name or tax ID)"),
    "queue.date_from": ("开票日期起", "Issued from"),
    "queue.date_to": ("开票日期止", "Issued to"),
    "queue.apply": ("筛选", "Apply"),
    "queue.clear": ("清除", "Clear"),
    "queue.any": ("全部", "Any"),
    "queue.total": ("共 {n} 张", "{n} invoices"),
    "queue.empty": ("没有符合条件的发票。", "No invoice matches."),
    "queue.bad_date": ("日期格式应为 YYYY-MM-DD，已忽略：{v}", "Dates are YYYY-MM-DD; ignored: {v}"),
    "queue.prev": ("上一页", "Previous"),
    "queue.next": ("下一页", "Next"),
    "queue.page": ("第 {p} / {n} 页", "Page {p} of {n}"),
    "queue.counts": ("各状态数量", "Counts by status"),
    "queue.pending": ("待复核", "Awaiting review"),
    "queue.done_all": ("没有待复核的发票了。", "No invoice awaits review."),
    "col.status": ("判定", "Decision"),
    "col.review": ("复核", "Review"),
    "col.type": ("类型", "Type"),
    "col.number": ("号码", "Number"),
    "col.code": ("代码", "Code"),
    "col.date": ("开票日期", "Issued"),
    "col.seller": ("销售方", "Seller"),
    "col.buyer": ("购买方", "Buyer"),
    "col.amount": ("价税合计", "Total incl. tax"),
    "status.verified": ("已验证", "Verified"),
    "status.needs_review": ("需复核", "Needs review"),
    "status.rejected": ("无法识别", "Unreadable"),
    "review.pending": ("待审", "Pending"),
    "review.confirmed": ("已确认", "Confirmed"),
    "review.rejected": ("已驳回", "Rejected"),
    "rv.title": ("发票复核", "Review invoice"),
    "rv.version": ("版本", "Version"),
    "rv.document": ("文件", "File"),
    "rv.confirm": ("确认", "Confirm"),
    "rv.reject": ("驳回", "Reject"),
    "rv.next": ("下一张", "Next"),
    "rv.note": ("备注（可选，随确认/驳回记录）", "Note (optional, recorded with confirm/reject)"),
    "rv.shortcuts": ("快捷键", "Keyboard shortcuts"),
    "rv.sc.confirm": ("Alt+Enter 确认", "Alt+Enter confirm"),
    "rv.sc.reject": ("Alt+R 驳回", "Alt+R reject"),
    "rv.sc.next": ("Alt+N 下一张", "Alt+N next"),
    "rv.sc.viewer": ("图像获得焦点时：方向键平移，+/- 缩放，0 适应窗口，R 旋转",
                     "With the image focused: arrows pan, +/- zoom, 0 fit, R rotate"),
    "rv.sc.fields": ("修改字段后按 Tab 离开即保存，规则会立即重新校验",
                     "Edit a field and leave it (Tab) to save; the rules run again at once"),
    "rv.image": ("发票图像", "Invoice image"),
    "rv.image_help": ("发票图像：拖动平移，滚轮缩放", "Invoice image: drag to pan, wheel to zoom"),
    "rv.page": ("页", "Page"),
    "rv.zoom_in": ("放大", "Zoom in"),
    "rv.zoom_out": ("缩小", "Zoom out"),
    "rv.fit": ("适应窗口", "Fit"),
    "rv.rotate_left": ("向左旋转", "Rotate left"),
    "rv.rotate_right": ("向右旋转", "Rotate right"),
    "rv.no_image": ("此页没有可显示的图像。", "This page has no image to show."),
    "rv.fields": ("字段", "Fields"),
    "rv.findings": ("校验结果", "Findings"),
    "rv.no_findings": ("所有规则均通过。", "Every rule passed."),
    "rv.items": ("货物或服务明细", "Items"),
    "rv.items_readonly": ("明细暂不可在此修改（后续版本提供）。", "Items cannot be edited here yet (a later version will)."),
    "rv.no_items": ("没有明细。", "No items."),
    "rv.history": ("操作记录", "History"),
    "rv.no_history": ("尚无操作。", "Nothing yet."),
    "rv.conflict": ("此发票已被他人修改（版本冲突），您的修改未保存。", "Someone else changed this invoice (version conflict); your change was not saved."),
    "rv.reload": ("重新加载", "Reload"),
    "rv.saving": ("保存中…", "Saving…"),
    "rv.saved": ("已保存", "Saved"),
    "rv.error": ("出错", "Error"),
    "rv.low_conf": ("置信度低", "Low confidence"),
    "rv.confidence": ("置信度", "Confidence"),
    "rv.was": ("原值", "was"),
    "rv.no_invoice": ("此文件未能识别出发票。", "No invoice could be read from this file."),
    "rv.readonly": ("不可修改", "read-only"),
    "grp.header": ("票面信息", "Invoice"),
    "grp.buyer": ("购买方", "Buyer"),
    "grp.seller": ("销售方", "Seller"),
    "grp.totals": ("金额", "Amounts"),
    "grp.other": ("其他", "Other"),
    "h.at": ("时间", "Time"),
    "h.actor": ("操作人", "By"),
    "h.action": ("操作", "Action"),
    "h.field": ("字段", "Field"),
    "h.old": ("原值", "Old"),
    "h.new": ("新值", "New"),
    "act.edit": ("修改", "edit"),
    "act.confirmed": ("确认", "confirm"),
    "act.rejected": ("驳回", "reject"),
    "src.qr": ("二维码", "QR code"),
    "src.text_layer": ("文字层", "text layer"),
    "src.ocr": ("OCR", "OCR"),
    "src.xml": ("XML", "XML"),
    "src.corrected": ("规则更正", "corrected by rule"),
    "src.reviewer": ("人工修改", "edited by reviewer"),
    "sev.error": ("错误", "error"),
    "sev.warning": ("警告", "warning"),
    "sev.info": ("提示", "info"),
    "up.title": ("上传发票", "Upload invoices"),
    "up.drop": ("将 PDF、图片、OFD 或 XML 文件拖到这里，或", "Drop PDF, image, OFD or XML files here, or"),
    "up.choose": ("选择文件", "choose files"),
    "up.files": ("文件", "Files"),
    "up.file": ("文件", "File"),
    "up.state": ("状态", "Status"),
    "up.result": ("结果", "Result"),
    "up.uploading": ("上传中…", "Uploading…"),
    "up.queued": ("排队中", "queued"),
    "up.processing": ("处理中", "processing"),
    "up.done": ("完成", "done"),
    "up.failed": ("失败", "failed"),
    "up.rejected": ("未接收", "refused"),
    "up.open": ("复核", "Review"),
    "up.duplicate": ("（重复文件）", "(duplicate)"),
    "up.none": ("未识别出发票", "no invoice found"),
}

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "invoice_type": ("发票类型", "Invoice type"),
    "title": ("发票标题", "Title"),
    "invoice_code": ("发票代码", "Invoice code"),
    "invoice_number": ("发票号码", "Invoice number"),
    "issue_date": ("开票日期", "Issue date"),
    "check_code": ("校验码", "Check code"),
    "machine_number": ("机器编号", "Machine number"),
    "buyer_name": ("购买方名称", "Buyer name"),
    "buyer_tax_id": ("购买方税号", "Buyer tax ID"),
    "buyer_address_phone": ("购买方地址电话", "Buyer address, phone"),
    "buyer_bank_account": ("购买方开户行及账号", "Buyer bank account"),
    "seller_name": ("销售方名称", "Seller name"),
    "seller_tax_id": ("销售方税号", "Seller tax ID"),
    "seller_address_phone": ("销售方地址电话", "Seller address, phone"),
    "seller_bank_account": ("销售方开户行及账号", "Seller bank account"),
    "total_amount": ("合计金额", "Total amount"),
    "total_tax": ("合计税额", "Total tax"),
    "amount_with_tax": ("价税合计", "Total incl. tax"),
    "amount_in_words": ("价税合计（大写）", "Amount in words"),
    "remarks": ("备注", "Remarks"),
    "drawer": ("开票人", "Drawer"),
    "payee": ("收款人", "Payee"),
    "reviewer": ("复核人", "Reviewer"),
    "name": ("名称", "Name"),
    "spec": ("规格型号", "Spec"),
    "unit": ("单位", "Unit"),
    "quantity": ("数量", "Quantity"),
    "unit_price": ("单价", "Unit price"),
    "amount": ("金额", "Amount"),
    "tax_rate": ("税率", "Tax rate"),
    "tax": ("税额", "Tax"),
}

INVOICE_TYPES: dict[str, tuple[str, str]] = {
    "special": ("增值税专用发票", "VAT special invoice"),
    "normal": ("增值税普通发票", "VAT normal invoice"),
    "e_special": ("增值税电子专用发票", "VAT electronic special invoice"),
    "e_normal": ("增值税电子普通发票", "VAT electronic normal invoice"),
    "roll": ("增值税普通发票（卷票）", "VAT roll invoice"),
    "toll": ("通行费电子普通发票", "Toll e-invoice"),
    "digital_special": ("数电票（增值税专用发票）", "Fully digital special invoice"),
    "digital_normal": ("数电票（普通发票）", "Fully digital normal invoice"),
    "motor_vehicle": ("机动车销售统一发票", "Motor vehicle sales invoice"),
    "used_car": ("二手车销售统一发票", "Used car sales invoice"),
    "unknown": ("未知类型", "Unknown type"),
}


def pick_lang(request: Request) -> str:
    """``?lang=`` wins (and is remembered in a cookie by the route class); then the cookie; then Chinese."""
    for value in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if value in LANGS:
            return value
    return "zh"


class Translator:
    """``t("key", n=3)`` in templates; ``t.field("seller_name")`` for field labels."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._i = LANGS.index(lang)

    def __call__(self, key: str, **kw) -> str:
        pair = STRINGS.get(key)
        text = pair[self._i] if pair else key
        return text.format(**kw) if kw else text

    def field(self, name: str) -> str:
        pair = FIELD_LABELS.get(name)
        return pair[self._i] if pair else name

    def kind(self, invoice_type: str | None) -> str:
        pair = INVOICE_TYPES.get(invoice_type or "unknown")
        return pair[self._i] if pair else str(invoice_type)
