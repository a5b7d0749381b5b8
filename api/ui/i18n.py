"""Interface strings in Chinese (the default) and English. A dict, not an i18n framework: the UI is small,
and a missing English string falls back to the key so it shows up in review instead of crashing a page."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from fapiao.api.ui.older_findings import reworded
from fapiao.core.errors import FapiaoError
from fapiao.core.labels import FIELD_LABELS, INVOICE_TYPES, RULE_LABELS
from fapiao.core.messages import Message, stored
from fapiao.matching.search_query import Reason

LANGS = ("zh", "en")
LANG_COOKIE = "fapiao_lang"

STRINGS: dict[str, tuple[str, str]] = {
    "app": ("发票复核", "Invoice review"),
    "nav.queue": ("待复核队列", "Queue"),
    "nav.upload": ("上传", "Upload"),
    "nav.reconcile": ("对账", "Reconcile"),
    "nav.drafts": ("补录草稿", "Drafts"),
    "nav.records": ("系统记录", "Records"),
    "nav.logout": ("退出", "Log out"),
    "nav.lang": ("English", "中文"),
    "nav.signed_in": ("当前用户", "Signed in as"),
    "login.title": ("登录", "Log in"),
    "login.key": ("API 密钥", "API key"),
    "login.help": (
        "粘贴管理员发给您的 API 密钥（用 fapiao keys create 生成）。密钥不会保存在浏览器中。",
        "Paste the API key you were given (made with fapiao keys create). The key is not stored in the browser.",
    ),
    "login.submit": ("登录", "Log in"),
    "login.bad": ("密钥无效或已吊销。", "The key is unknown or revoked."),
    "forbidden.title": ("无权访问", "Not allowed"),
    "forbidden.body": (
        "此页面需要 {need} 角色，您的密钥是 {have}。",
        "This page needs the {need} role; your key has {have}.",
    ),
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
    "queue.type": ("发票类型", "Invoice type"),
    "queue.batch": ("批次", "Batch"),
    "queue.match": ("对账结果", "Reconciliation result"),
    "queue.batch_progress": ("批次 {b} 的处理进度", "Progress of batch {b}"),
    "queue.pending": ("尚未处理", "Not decided yet"),
    "queue.pending_help": (
        "还没有人确认或驳回的发票（不论规则判定如何）",
        "Invoices nobody has confirmed or rejected yet (whatever the rules found)",
    ),
    "queue.by_rules": ("规则判定：", "Rules:"),
    "queue.by_rules_help": ("校验规则对发票的判定", "What the rules decided about the invoice"),
    "queue.by_people": ("人工处理：", "Reviewers:"),
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
    "col.match": ("对账结果", "Reconciliation"),
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
    "rv.confirmed_next": (
        "已确认发票 {n}（{f}）。这是下一张待复核的发票。",
        "Invoice {n} ({f}) is confirmed. This is the next invoice awaiting review.",
    ),
    "rv.confirmed_last": (
        "已确认发票 {n}（{f}）。没有待复核的发票了。",
        "Invoice {n} ({f}) is confirmed. No invoice awaits review.",
    ),
    "rv.open_again": ("重新打开发票 {n}", "Open invoice {n} again"),
    "rv.note": ("备注（可选，随确认/驳回记录）", "Note (optional, recorded with confirm/reject)"),
    "rv.shortcuts": ("快捷键", "Keyboard shortcuts"),
    "rv.sc.confirm": ("Alt+Enter 确认", "Alt+Enter confirm"),
    "rv.sc.reject": ("Alt+R 驳回", "Alt+R reject"),
    "rv.sc.next": ("Alt+N 下一张", "Alt+N next"),
    "rv.sc.viewer": (
        "图像获得焦点时：方向键平移，+/- 缩放，0 适应窗口，R 旋转",
        "With the image focused: arrows pan, +/- zoom, 0 fit, R rotate",
    ),
    "rv.sc.fields": (
        "修改字段后按 Tab 离开即保存，规则会立即重新校验",
        "Edit a field and leave it (Tab) to save; the rules run again at once",
    ),
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
    "rv.items_help": (
        "直接修改单元格，可添加或删除行，然后点击“保存明细”（或在单元格中按 Enter）；规则会立即重新校验。",
        "Edit the cells, add or remove rows, then press “Save items” "
        "(or Enter in a cell); the rules run again at once.",
    ),
    "rv.item_cell": ("第 {n} 行 {col}", "{col}, row {n}"),
    "rv.item_remove": ("删除第 {n} 行", "Remove row {n}"),
    "rv.item_add": ("添加一行", "Add a row"),
    "rv.item_actions": ("操作", "Actions"),
    "rv.items_save": ("保存明细", "Save items"),
    "rv.items_unsaved": ("明细有未保存的修改", "Items have unsaved changes"),
    "rv.no_items": ("没有明细。", "No items."),
    "rv.history": ("操作记录", "History"),
    "rv.no_history": ("尚无操作。", "Nothing yet."),
    "rv.conflict": (
        "此发票已被他人修改（版本冲突），您的修改未保存。",
        "Someone else changed this invoice (version conflict); your change was not saved.",
    ),
    "rv.reload": ("重新加载", "Reload"),
    "rv.open_errors": (
        "此发票仍有 {n} 个错误未解决：{codes}。请先更正字段；如确需按现状确认，请填写原因（将记入操作记录）。",
        "This invoice still has {n} open error(s): {codes}. Correct the fields first; to confirm it as it is, "
        "give the reason (it is recorded in the history).",
    ),
    "rv.override_reason": ("确认原因", "Reason for confirming"),
    "err.invalid_value": (
        "“{f}”的值“{v}”无效：日期请写成 YYYY-MM-DD，金额和数量请写成 123.45 这样的数字。",
        "“{v}” is not a valid value for “{f}”: write dates as YYYY-MM-DD, amounts and quantities as 123.45.",
    ),
    "err.item_cell": ("第 {n} 行 {col}", "{col}, row {n}"),
    "dr.open_errors": (
        "此草稿仍有 {n} 个错误：请先更正；如确需按现状确认，请在“确认原因”中写明原因（将记入记录）。",
        "This draft still has {n} error(s): correct them first; to confirm it as it is, give the reason for "
        "confirming (it is recorded).",
    ),
    "dr.layout": ("版式", "Layout"),
    "dr.layout_tax_bureau": ("税务局导出格式", "Tax bureau export"),
    "dr.layout_source": ("与“{name}”相同", "As “{name}”"),
    "dr.override_help": ("有 {n} 个错误：按现状确认须写明原因", "{n} error(s): confirming as it is needs a reason"),
    "dr.export_errors": (
        "{n} 个草稿仍有错误且未经说明原因确认，未导出：{ids}。请重新打开更正，或填写原因后再确认。",
        "{n} draft(s) still have errors and were not confirmed over them with a reason, so nothing was exported: "
        "{ids}. Reopen and correct them, or confirm them again giving the reason.",
    ),
    "rv.override": ("仍然确认", "Confirm anyway"),
    "rv.override_cancel": ("取消", "Cancel"),
    "rv.override_needs_reason": ("请填写原因。", "Give the reason."),
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
    "grp.trip": ("行程（客票）", "Trip (ticket)"),
    "h.at": ("时间", "Time"),
    "h.actor": ("操作人", "By"),
    "h.action": ("操作", "Action"),
    "h.field": ("字段", "Field"),
    "h.old": ("原值", "Old"),
    "h.new": ("新值", "New"),
    "act.edit": ("修改", "edit"),
    "act.confirmed": ("确认", "confirm"),
    "act.rejected": ("驳回", "reject"),
    "act.reopened": ("修改后退回待审", "back to review after an edit"),
    "act.reverified": ("重新校验", "verified again"),
    "h.note": ("备注", "Note"),
    "h.override": ("确认原因（仍有错误）", "Reason (confirmed over errors)"),
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
    "up.batch": ("批次名称（可选）", "Batch name (optional)"),
    "up.batch_help": (
        "同一批次的文件可以一起查看进度和对账，例如 2024-03-报销。",
        "Files in one batch can be followed and reconciled together, e.g. 2024-03-expenses.",
    ),
    "up.batch_progress": ("查看批次 {b} 的进度", "Follow batch {b}"),
    "err.title": ("无法完成", "Could not do that"),
    "err.hint": ("建议", "What to do"),
    "err.back": ("返回", "Back"),
    # reconciliation dashboard
    "rc.title": ("对账", "Reconciliation"),
    "rc.new": ("开始对账", "Run a reconciliation"),
    "rc.new_help": (
        "将已识别的发票与系统记录逐一核对；系统中缺失的发票会生成补录草稿。",
        "Checks the invoices read against the system's records; invoices missing in the system get a back-entry draft.",
    ),
    "rc.scope": ("范围", "Scope"),
    "rc.scope_all": ("全部发票", "Every invoice"),
    "rc.scope_batch": ("按批次", "One batch"),
    "rc.scope_dates": ("按开票日期", "By issue date"),
    "rc.scope_batch_is": ("批次 {b}", "batch {b}"),
    "rc.scope_dates_is": ("开票日期 {a} 至 {b}", "issued {a} to {b}"),
    "rc.pick_batch": ("请选择批次", "Choose a batch"),
    "rc.no_batches": ("尚无批次：上传时填写批次名称即可。", "No batches yet: give a batch name when uploading."),
    "rc.run": ("开始对账", "Run"),
    "rc.need_batch": ("请选择一个批次。", "Choose a batch."),
    "rc.batch_too_long": ("批次名称最长 64 个字符。", "A batch name has at most 64 characters."),
    "rc.bad_scope": ("请选择对账范围。", "Choose what to reconcile."),
    "rc.need_date": ("请至少填写一个开票日期。", "Give at least one issue date."),
    "rc.bad_date": ("日期格式应为 YYYY-MM-DD：{v}", "Dates are YYYY-MM-DD: {v}"),
    "rc.date_order": ("起始日期晚于截止日期。", "The start date is after the end date."),
    "rc.recent": ("最近的对账", "Recent runs"),
    "rc.no_runs": ("尚未对账。", "No reconciliation yet."),
    "rc.run_no": ("编号", "Run"),
    "rc.documents": ("发票数", "Documents"),
    "rc.records": ("系统记录数", "Records"),
    "rc.result": ("结果", "Result"),
    "rc.drafts_created": ("新建草稿", "Drafts created"),
    "rc.run_title": ("对账 #{id}", "Reconciliation #{id}"),
    "rc.summary": (
        "发票 {d} 张，系统记录 {r} 条，新建补录草稿 {n} 份",
        "{d} documents, {r} records, {n} drafts created",
    ),
    "rc.back": ("返回对账列表", "All runs"),
    "rc.categories": ("对账结果分类", "Result categories"),
    "rc.export": ("下载报告", "Download the report"),
    "rc.export_xlsx": ("Excel（XLSX）", "Excel (XLSX)"),
    "rc.export_csv": ("CSV", "CSV"),
    "rep.col.source": ("来源文件", "Source"),
    "rep.col.page": ("页", "Page"),
    "rep.col.category": ("对账结果", "Category"),
    "rep.col.record_key": ("系统记录", "Record"),
    "rep.col.score": ("吻合度", "Score"),
    "rep.col.decision": ("匹配判断", "Decision"),
    "rep.col.differences": ("差异", "Differences"),
    "rep.col.findings": ("校验结果", "Findings"),
    "rep.decision.matched": ("匹配", "matched"),
    "rep.decision.suggested": ("相似，需人工核对", "suggested"),
    "rep.decision.no_match": ("无匹配", "no match"),
    "rc.export_json": ("JSON Lines（.jsonl）", "JSON Lines (.jsonl)"),
    "rc.source": ("来源文件", "Source file"),
    "rc.record": ("系统记录", "Record"),
    "rc.on_page": ("第 {n} 页", "page {n}"),
    "rc.details": ("详情", "Details"),
    "rc.score": ("吻合度", "match"),
    "rc.differences": ("差异", "Differences"),
    "rc.doc_value": ("发票上的值", "On the invoice"),
    "rc.record_value": ("系统记录的值", "In the records"),
    "rc.open_invoice": ("打开发票", "Open the invoice"),
    "rc.open_draft": ("打开补录草稿 #{id}", "Open draft #{id}"),
    "rc.lines": ("共 {n} 条", "{n} lines"),
    "rc.no_lines": ("此分类没有记录。", "Nothing in this category."),
    "rc.no_run": ("没有编号为 {id} 的对账。", "There is no reconciliation #{id}."),
    "rc.category_help.matched": ("与系统记录一致。", "Agrees with its record."),
    "rc.category_help.matched_with_differences": (
        "找到了系统记录，但部分字段不同，请核对。",
        "Its record was found, but some fields differ: check them.",
    ),
    "rc.category_help.missing_in_system": (
        "系统中没有此发票，已生成补录草稿。",
        "Not in the system: a back-entry draft was made.",
    ),
    "rc.category_help.duplicate": (
        "同一张发票提交了不止一次，请勿重复入账。",
        "The same invoice was submitted more than once: book it once.",
    ),
    "rc.category_help.voided": (
        "系统记录显示已作废或红冲，请勿入账。",
        "The records say voided or red-lettered: do not book it.",
    ),
    "rc.category_help.rejected": (
        "未能识别或已被驳回的文件，无法对账。",
        "Unreadable or rejected documents: nothing to reconcile.",
    ),
    "rc.category_help.no_document": (
        "系统中有记录，但没有收到对应的发票。",
        "In the records, but no invoice was received.",
    ),
    # drafts
    "dr.title": ("补录草稿", "Back-entry drafts"),
    "dr.help": (
        "对账时系统中缺失的发票会生成草稿：核对并确认后导出，导入到系统中；下次导入包含该发票时草稿自动完成。",
        "Invoices missing in the system get a draft: check and confirm it, export, import into the system; "
        "the next records import that contains it resolves the draft.",
    ),
    "dr.counts": ("各状态数量", "Counts by state"),
    "dr.state": ("状态", "State"),
    "dr.search": ("搜索（号码或来源文件）", "Search (number or source file)"),
    "dr.total": ("共 {n} 份", "{n} drafts"),
    "dr.empty": ("没有符合条件的草稿。", "No draft matches."),
    "dr.no": ("编号", "Draft"),
    "dr.export": ("导出已确认的草稿", "Export confirmed drafts"),
    "dr.format": ("导出格式", "Format"),
    "dr.format_xlsx": ("Excel（XLSX，系统导入格式）", "Excel (XLSX, the system's import layout)"),
    "dr.format_json": ("JSON", "JSON"),
    "dr.include_exported": ("包括以前已导出的", "Include drafts exported before"),
    "dr.export_confirmed": ("导出已确认的草稿（{n}）", "Export confirmed drafts ({n})"),
    "dr.nothing": (
        "没有已确认的草稿可导出：请先打开草稿核对并确认。",
        "There is no confirmed draft to export: open the drafts, check and confirm them first.",
    ),
    "dr.one": ("补录草稿 #{id}", "Draft #{id}"),
    "dr.open_invoice": ("打开原发票", "Open the invoice"),
    "dr.back": ("返回草稿列表", "All drafts"),
    "dr.confirm": ("确认", "Confirm"),
    "dr.discard": ("放弃", "Discard"),
    "dr.reopen": ("重新打开", "Reopen"),
    "dr.discard_question": (
        "放弃后此发票不会补录，且不能撤销。确定放弃吗？",
        "A discarded draft is not back-entered, and this cannot be undone. Discard it?",
    ),
    "dr.discard_reason": ("原因（可选）", "Reason (optional)"),
    "dr.discard_confirm": ("确定放弃", "Yes, discard"),
    "dr.save": ("保存修改", "Save changes"),
    "dr.save_help": ("保存后规则会重新校验。", "The rules run again after saving."),
    "dr.filled": ("来自往来单位主数据", "filled from the party master"),
    "dr.as_printed": ("票面名称", "as printed"),
    "dr.step": ("状态变化", "Step"),
    "dr.note": ("说明", "Note"),
    "dr.bad_version": ("表单缺少版本号，请重新加载页面。", "The form has no version; reload the page."),
    "dr.no_draft": ("没有编号为 {id} 的草稿。", "There is no draft #{id}."),
    "dr.done.saved": ("已保存，规则已重新校验。", "Saved; the rules ran again."),
    "dr.done.confirmed": ("已确认，可以导出。", "Confirmed; it can be exported."),
    "dr.done.discarded": ("已放弃，此发票不会补录。", "Discarded; this invoice will not be back-entered."),
    "dr.done.draft": ("已重新打开，可以修改。", "Reopened; it can be edited."),
    "dr.locked.confirmed": (
        "已确认的草稿不能修改；如需修改请先重新打开。",
        "A confirmed draft cannot be edited; reopen it first.",
    ),
    "dr.locked.exported": (
        "已导出，等待系统导入后自动完成。",
        "Exported; it is resolved when a records import contains it.",
    ),
    "dr.locked.resolved": (
        "系统记录中已有此发票，草稿已完成。",
        "The records contain this invoice; the draft is resolved.",
    ),
    "dr.locked.discarded": ("此草稿已放弃。", "This draft was discarded."),
    "ds.draft": ("待确认", "Draft"),
    "ds.confirmed": ("已确认", "Confirmed"),
    "ds.exported": ("已导出", "Exported"),
    "ds.resolved": ("已完成", "Resolved"),
    "ds.discarded": ("已放弃", "Discarded"),
    # records
    "rec.title": ("系统记录", "System records"),
    "rec.count": ("系统中共有 {n} 条发票记录", "{n} invoice records in the system"),
    "rec.upload": ("导入发票清单", "Import an invoice list"),
    "rec.upload_help": (
        "上传税务系统或 ERP 导出的 CSV 或 XLSX 文件；导入前会先显示每一列的读取方式。",
        "Upload the CSV or XLSX exported by the tax bureau or the ERP; you see how each "
        "column is read before anything is imported.",
    ),
    "rec.file": ("文件", "File"),
    "rec.use_mapping": ("使用已保存的列映射", "Use a saved column mapping"),
    "rec.auto_mapping": ("自动识别", "Automatic"),
    "rec.preview": ("预览", "Preview"),
    "rec.again": ("重新导入", "Import again"),
    "rec.again_help": (
        "用相同的文件和列映射再次导入最近一次的文件。",
        "Runs the newest import's file again with the same mapping.",
    ),
    "rec.reimport": ("重新导入最近的文件", "Re-import the last file"),
    "rec.saved_mappings": ("已保存的列映射", "Saved column mappings"),
    "rec.imports": ("导入记录", "Past imports"),
    "rec.no_imports": ("尚未导入。", "Nothing imported yet."),
    "rec.no": ("编号", "Import"),
    "rec.status": ("结果", "Result"),
    "rec.st.done": ("完成", "done"),
    "rec.st.partial": ("部分导入：{n} 行未导入", "partly imported: {n} rows not loaded"),
    "rec.unmapped_statuses": (
        "以下状态值无法识别，相应记录已导入并按“正常”处理，请核对：",
        "These status values could not be mapped; their records were imported as normal — check them:",
    ),
    "rec.unmapped_one": ("“{v}”（{n} 行）", "“{v}” ({n} rows)"),
    "rec.st.failed": ("失败", "failed"),
    "rec.inserted": ("新增", "Inserted"),
    "rec.updated": ("更新", "Updated"),
    "rec.unchanged": ("未变", "Unchanged"),
    "rec.bad_rows": ("错误行", "Bad rows"),
    "rec.drafts_resolved": ("完成的草稿", "Drafts resolved"),
    "rec.rows_read": ("读取行数", "Rows read"),
    "rec.empty_file": ("{name}：文件是空的，请重新导出。", "{name}: the file is empty; export it again."),
    "rec.too_large": ("{name}：文件超过 {n} 字节的上限。", "{name}: the file is larger than the limit of {n} bytes."),
    "rec.bad_sha": ("文件标识无效，请重新上传文件。", "The file reference is not valid; upload the file again."),
    "rec.gone": ("找不到上传的文件，请重新上传。", "The uploaded file is no longer there; upload it again."),
    "rec.bad_field": ("未知字段：{v}", "Unknown field: {v}"),
    "rec.twice": (
        "“{f}”被选给了不止一列，每个字段只能对应一列。",
        "“{f}” is chosen for more than one column; each field reads one column.",
    ),
    "rec.same_header": (
        "第 {n} 列的表头“{h}”为空或与前面的列重复，无法单独选择，请在文件中改名。",
        "Column {n}'s header “{h}” is empty or repeats an earlier one, so it cannot be "
        "chosen on its own; rename it in the file.",
    ),
    "rec.failed": ("导入失败（已记录在导入记录中）：{e}", "The import failed (it is listed among the imports): {e}"),
    "rec.preview_title": ("导入预览", "Import preview"),
    "rec.preview_help": (
        "核对每一列对应的字段，必要时修改后点击“更新预览”；确认无误再导入。",
        "Check the field each column is read as; change it and press “Update the preview” if needed, then import.",
    ),
    "rec.back": ("返回系统记录", "Back to records"),
    "rec.summary": (
        "表头在第 {h} 行；读取 {r} 行，可导入 {n} 条，错误 {b} 行。",
        "Headers on row {h}; {r} rows read, {n} records, {b} bad rows.",
    ),
    "rec.apply_mapping": ("应用", "Apply"),
    "rec.columns": ("列映射", "Columns"),
    "rec.column": ("列", "Column"),
    "rec.header": ("表头", "Header"),
    "rec.field": ("读取为", "Read as"),
    "rec.score": ("匹配度", "Score"),
    "rec.explicit": ("指定", "chosen"),
    "rec.not_used": ("不使用", "not used"),
    "rec.repreview": ("更新预览", "Update the preview"),
    "rec.save_as": ("将此列映射保存为（可选）", "Save this mapping as (optional)"),
    "rec.save_as_help": ("下次导入同样格式的文件时可直接选用。", "Choose it for the next file in the same layout."),
    "rec.import": ("导入", "Import"),
    "rec.still_read": (
        "第 {n} 列“{h}”仍会被自动识别为“{f}”：自动识别不能关闭，如不需要请把“{f}”指定给其他列。",
        "Column {n} “{h}” is still read as “{f}” automatically (automatic mapping cannot be switched off "
        "for one column); give “{f}” to another column if that is wrong.",
    ),
    "rec.sample": ("前 {n} 条记录", "First {n} records"),
    "rec.no_sample": ("没有可导入的记录。", "No record can be imported."),
    "rec.bad_title": ("错误行（{n}）", "Bad rows ({n})"),
    "rec.no_bad": ("没有错误行。", "No bad rows."),
    "rec.row": ("行号", "Row"),
    "rec.reason": ("原因", "Reason"),
    "rec.import_title": ("导入 #{id}", "Import #{id}"),
    "rec.mapping_used": ("使用的列映射", "Mapping used"),
    "rec.no_import": ("没有编号为 {id} 的导入。", "There is no import #{id}."),
    "rec.done.imported": ("导入完成。", "Imported."),
    "rec.done.reimported": ("已重新导入最近的文件。", "The last file was imported again."),
    "rec.to_reconcile": ("去对账", "Go to reconciliation"),
    "rec.rs.normal": ("正常", "normal"),
    "rec.rs.voided": ("作废", "voided"),
    "rec.rs.red_letter": ("红冲", "red-letter"),
    # batches
    "bt.title": ("批次 {b}", "Batch {b}"),
    "bt.queue": ("在队列中查看", "Open in the queue"),
    "bt.reconcile": ("对账", "Reconcile"),
    "bt.progress": ("处理进度", "Progress"),
    "bt.done_of": ("已处理 {d} / {n} 个文件", "{d} of {n} files processed"),
    "bt.by_state": ("各状态文件数", "Files by state"),
    "bt.auto_refresh": ("每 3 秒自动刷新（取消勾选可暂停）", "Refresh every 3 seconds (untick to pause)"),
    "bt.finished": ("此批次的文件已全部处理完毕。", "Every file in this batch has been processed."),
    "bt.documents": ("批次中的文件", "Files in the batch"),
    "bt.unknown": ("没有名为 {b} 的批次。", "There is no batch named {b}."),
    # nav additions
    "nav.backfills": ("批量补录", "Back-fills"),
    "nav.stats": ("统计", "Statistics"),
    "nav.alerts": ("提醒", "Alerts"),
    "nav.alerts_n": ("提醒（{n} 条）", "Alerts ({n})"),
    "nav.search": ("搜索发票、系统记录和草稿", "Search invoices, records and drafts"),
    "nav.search_hint": ("号码、金额、日期、名称…", "Number, amount, name…"),
    "nav.search_go": ("搜索", "Search"),
    # back-fills
    "bf.title": ("批量补录", "Back-fills"),
    "bf.help": (
        "一次读完整批发票（上传的 zip 压缩包或服务器上的文件夹），与系统记录对账，并为系统中缺失的发票生成补录草稿；"
        "完成后可下载对账报告、drafts.xlsx 和处理日志。",
        "Reads a whole archive of invoices (an uploaded zip or a folder on the server), reconciles it with the "
        "system's records and makes a back-entry draft for every invoice missing in the system; then download "
        "the report, drafts.xlsx and the log.",
    ),
    "bf.new": ("开始批量补录", "Start a back-fill"),
    "bf.source": ("发票来源", "Invoices from"),
    "bf.src_zip": ("上传 zip 压缩包", "An uploaded zip"),
    "bf.src_folder": ("服务器上的文件夹", "A folder on the server"),
    "bf.archive": ("zip 压缩包", "Zip archive"),
    "bf.folder": ("文件夹路径", "Folder path"),
    "bf.roots": (
        "只能读取以下文件夹及其子文件夹（FAPIAO_BACKFILL_ROOTS）：",
        "Only these folders and their subfolders can be read (FAPIAO_BACKFILL_ROOTS):",
    ),
    "bf.records": ("系统记录导出文件（可选，CSV 或 XLSX）", "Records export (optional, CSV or XLSX)"),
    "bf.records_help": (
        "先导入此文件再对账，drafts.xlsx 使用它的表头；不选择时使用已导入的系统记录。",
        "It is imported first and drafts.xlsx uses its header row; without it the records already imported are used.",
    ),
    "bf.mapping": ("导出文件的列映射", "Column mapping of the export"),
    "bf.start": ("开始批量补录", "Start the back-fill"),
    "bf.need_zip": ("请选择一个 zip 压缩包。", "Choose a zip archive."),
    "bf.need_folder": ("请填写服务器上的文件夹路径。", "Give the folder's path on the server."),
    "bf.bad_source": ("请选择发票来源。", "Choose where the invoices come from."),
    "bf.mapping_alone": (
        "列映射只用于系统记录导出文件：请同时选择该文件，或选择“自动识别”。",
        "A column mapping applies to a records export: choose the file too, or choose “Automatic”.",
    ),
    "bf.list": ("批量补录记录", "Back-fills"),
    "bf.none": ("尚无批量补录。", "No back-fill yet."),
    "bf.no": ("编号", "Back-fill"),
    "bf.status": ("状态", "Status"),
    "bf.progress": ("处理进度", "Progress"),
    "bf.files_col": ("文件", "Files"),
    "bf.st.ingesting": ("读取文件中", "reading files"),
    "bf.st.processing": ("处理中", "processing"),
    "bf.st.reconciling": ("对账中", "reconciling"),
    "bf.st.done": ("完成", "done"),
    "bf.st.failed": ("失败", "failed"),
    "bf.one": ("批量补录 {id}", "Back-fill {id}"),
    "bf.back": ("返回批量补录列表", "All back-fills"),
    "bf.reading": ("正在读取文件并排队…", "Reading the files and queueing them…"),
    "bf.files": ("共 {n} 个文件：接收 {a} 个，拒收 {r} 个", "{n} files: {a} accepted, {r} refused"),
    "bf.files_failed": ("；已接收的文件中 {f} 个无法读取", "; {f} of the accepted files could not be read"),
    "bf.refused": ("拒收或无法读取的文件（{n}）", "Files refused or unreadable ({n})"),
    "bf.results": ("对账结果", "Reconciliation result"),
    "bf.open_run": ("打开对账 #{id}", "Open reconciliation #{id}"),
    "bf.outputs": ("下载结果文件", "Download the outputs"),
    "bf.out.reconciliation.xlsx": (
        "对账报告（每个分类一张工作表）",
        "The reconciliation report (a sheet per category)",
    ),
    "bf.out.drafts.xlsx": (
        "补录草稿，使用系统记录导出的表头，可直接导入",
        "Back-entry drafts under the records export's header row, ready to import",
    ),
    "bf.out.log.jsonl": (
        "处理日志：每个文件一行，含无法读取的原因",
        "The log: a line per document, with why a file could not be read",
    ),
    "bf.finished": ("批量补录已完成。", "The back-fill is done."),
    "bf.failed": ("批量补录失败：{e}", "The back-fill failed: {e}"),
    "bf.no_backfill": ("没有编号为 {id} 的批量补录。", "There is no back-fill {id}."),
    "bf.no_output": ("没有名为 {n} 的结果文件。", "There is no output named {n}."),
    "bf.records_import": ("系统记录：导入 #{id}", "Records: import #{id}"),
    "bf.src.zip": ("zip：{n}", "zip: {n}"),
    "bf.src.folder": ("文件夹：{n}", "folder: {n}"),
    "bf.finished_at": ("完成时间", "Finished"),
    # search
    "sr.title": ("搜索", "Search"),
    "sr.help": (
        "按号码的一部分、金额或金额范围、日期或日期范围、名称（可有错别字）或税号的一部分，查找发票、系统记录和补录草稿；"
        "所有填写的条件都必须满足。",
        "Find invoices, records and drafts by part of a number, an amount or a range, a date or a range, a name "
        "(typos are tolerated) or part of a tax ID; every condition given must hold.",
    ),
    "sr.q": (
        "关键词（每个词可以是号码、金额、日期、名称或税号，如 科晟建筑 2024-03 1000-2000）",
        "Words (each a number, amount, date, name or tax ID, e.g. 科晟建筑 2024-03 1000-2000)",
    ),
    "sr.number": ("号码（发票代码或号码的一部分）", "Number (part of the code or number)"),
    "sr.tax_id": ("税号（一部分）", "Tax ID (part)"),
    "sr.name": ("名称（购买方或销售方）", "Name (buyer or seller)"),
    "sr.amount": ("金额（精确）", "Amount (exact)"),
    "sr.amount_min": ("金额不低于", "Amount from"),
    "sr.amount_max": ("金额不高于", "Amount up to"),
    "sr.kinds": ("查找范围", "Look in"),
    "sr.kind.record": ("系统记录", "Records"),
    "sr.kind.invoice": ("发票", "Invoices"),
    "sr.kind.draft": ("补录草稿", "Drafts"),
    "sr.kind.document": ("上传文件", "Documents"),
    "sr.badge.record": ("记录", "record"),
    "sr.badge.invoice": ("发票", "invoice"),
    "sr.badge.draft": ("草稿", "draft"),
    "sr.badge.document": ("文件", "document"),
    "sr.go": ("搜索", "Search"),
    "sr.empty_query": (
        "请填写要查找的内容：号码、金额、日期、名称或税号。",
        "Say what to look for: a number, an amount, a date, a name or a tax ID.",
    ),
    "sr.bad_amount": ("金额格式不正确：{v}（例如 1058.94）", "Not an amount: {v} (e.g. 1058.94)"),
    "sr.amount_order": ("最低金额高于最高金额。", "The lowest amount is above the highest."),
    "sr.total": ("找到 {n} 条", "{n} found"),
    "sr.shown": ("，显示最相关的 {k} 条", "; the best {k} are shown"),
    "sr.none": (
        "没有找到。可以减少条件，或只输入号码的一部分。",
        "Nothing found. Give fewer conditions, or just part of the number.",
    ),
    "sr.kind_col": ("类别", "Kind"),
    "sr.reasons": ("匹配原因", "Why"),
    "sr.source": ("来源", "From"),
    "sr.results": ("搜索结果", "Results"),
    # statistics
    "stats.title": ("统计", "Statistics"),
    "stats.help": (
        "已读取发票的张数和金额（不含已驳回的发票），按开票日期筛选。",
        "Counts and amounts of the invoices read (rejected ones left out), by issue date.",
    ),
    "stats.group": ("分组", "Group by"),
    "stats.g.month": ("按月份", "Month"),
    "stats.g.seller": ("按销售方", "Seller"),
    "stats.g.type": ("按发票类型", "Invoice type"),
    "stats.g.rate": ("按税率", "Tax rate"),
    "stats.key.month": ("月份", "Month"),
    "stats.key.seller": ("销售方", "Seller"),
    "stats.key.type": ("发票类型", "Invoice type"),
    "stats.key.rate": ("税率", "Tax rate"),
    "stats.show": ("显示", "Show"),
    "stats.totals": ("金额汇总", "Amounts"),
    "stats.invoices": ("发票数", "Invoices"),
    "stats.duplicates": ("重复上传（未计入）", "Duplicate uploads (not counted)"),
    "stats.col.key": ("编号", "Key"),
    "stats.total_amount": ("金额", "Amount"),
    "stats.total_tax": ("税额", "Tax"),
    "stats.amount_with_tax": ("价税合计", "Total incl. tax"),
    "stats.sum": ("合计", "Total"),
    "stats.chart_month": ("各月价税合计", "Total incl. tax by month"),
    "stats.chart_top": ("价税合计最高的 {n} 项", "The top {n} by total incl. tax"),
    "stats.chart_desc": ("条形图；下表列出相同的数字。", "A bar chart; the table lists the same figures."),
    "stats.no_data": ("此范围内没有发票。", "No invoice in this range."),
    "stats.shares": ("每月对账与复核比例", "Reconciliation and review by month"),
    "stats.shares_help": (
        "已匹配（含有差异的）和系统中缺失的比例以最近一次对账的已对账发票为基数；待复核比例以全部发票为基数。",
        "Matched (with or without differences) and missing are shares of the invoices the latest "
        "reconciliation covered; needs review is a share of all invoices.",
    ),
    "stats.reconciled": ("已对账", "Reconciled"),
    "stats.matched": ("已匹配", "Matched"),
    "stats.missing": ("系统中缺失", "Missing"),
    "stats.needs_review": ("需复核且尚未处理", "Needs review, not decided yet"),
    "stats.matched_share": ("匹配比例", "Matched share"),
    "stats.missing_share": ("缺失比例", "Missing share"),
    "stats.needs_review_share": ("需复核比例", "Needs-review share"),
    "stats.chart_shares": ("各月比例（%）", "Shares by month (%)"),
    "stats.chart_shares_desc": (
        "折线图：匹配、缺失和待复核比例；下表列出相同的数字。",
        "A line chart of the matched, missing and needs-review shares; the table lists the same figures.",
    ),
    "stats.download": ("下载 Excel（XLSX）", "Download Excel (XLSX)"),
    "stats.unknown_month": ("日期未知", "No date"),
    "stats.unknown_seller": ("销售方未知", "Unknown seller"),
    "stats.unknown_rate": ("税率未知", "Unknown rate"),
    "stats.rate_note": (
        "一张发票含多个税率时，在每个税率下各计一次。",
        "An invoice with several rates counts once under each.",
    ),
    # alerts
    "al.title": ("提醒", "Alerts"),
    "al.help": (
        "需要有人处理的问题；每次打开此页都会重新检查。",
        "Problems someone should deal with; checked afresh each time this page opens.",
    ),
    "al.counts": ("各类提醒数量", "Alerts by kind"),
    "al.k.duplicate": ("重复提交", "Duplicates"),
    "al.k.stuck_review": ("复核超时", "Stuck in review"),
    "al.k.draft_unseen": ("补录未见于系统", "Exported drafts not in the records"),
    "al.k.import_failed": ("导入失败", "Failed imports"),
    "al.k.import_stale": ("系统记录过旧", "Records out of date"),
    "al.none": ("目前没有提醒。", "No alerts at the moment."),
    "al.none_kind": ("此类没有提醒。", "No alert of this kind."),
    "al.severity": ("级别", "Severity"),
    "al.kind": ("类别", "Kind"),
    "al.message": ("内容", "Message"),
    "al.since": ("起始时间", "Since"),
    "al.links": ("链接", "Links"),
    "al.total": ("共 {n} 条", "{n} alerts"),
    "al.link.invoice": ("发票 #{id}", "Invoice #{id}"),
    "al.link.draft": ("草稿 #{id}", "Draft #{id}"),
    "al.link.records": ("系统记录", "Records"),
    "al.link.other": ("打开", "Open"),
    # records sync status
    "rec.sync": ("各来源同步状态", "Sync status by source"),
    "rec.sync_help": (
        "每个导入的文件名是一个来源：最近一次导入的结果、变化的记录数，以及最近一次成功导入的时间。",
        "Each imported file name is a source: what its newest import did, how many records it changed, "
        "and when it last imported successfully.",
    ),
    "rec.source": ("来源", "Source"),
    "rec.last_import": ("最近导入", "Last import"),
    "rec.last_success": ("最近成功导入", "Last success"),
    "rec.imports_n": ("导入次数", "Imports"),
    "rec.never": ("从未成功", "never"),
    "rec.reimport_one": ("重新导入", "Re-import"),
    "rec.reimport_source": ("重新导入 {s}", "Re-import {s}"),
    "rec.no_file": ("未保存文件，无法重新导入", "no file kept: cannot re-import"),
    # the file's integrity: the issuer's digital signature and damage (review screen, queue filter, alerts)
    "queue.signature": ("数字签名", "Digital signature"),
    "sig.title": ("开票方数字签名", "Issuer's digital signature"),
    "sig.valid": ("签名有效", "Signature valid"),
    "sig.broken": ("签名不符或文件损坏", "Signature broken or file damaged"),
    "sig.unsupported": ("签名无法验证", "Signature cannot be checked"),
    "sig.damaged": ("文件已损坏", "File damaged"),
    "sig.none": ("无数字签名", "Not signed"),
    "sig.none_help": (
        "文件未带数字签名（数电发票通常如此），其真实性只能通过税务机关的查验平台确认。",
        "The file carries no digital signature (数电 invoices usually do not); only the tax bureau's "
        "verification service can confirm it is genuine.",
    ),
    "al.k.signature_broken": ("签名不符或文件损坏", "Broken signatures or damaged files"),
}

MATCH_CATEGORIES = (
    "matched",
    "matched_with_differences",
    "missing_in_system",
    "duplicate",
    "voided",
    "rejected",
    "no_document",
)
"""``fapiao.matching.reconcile.Category`` values, in the order the dashboard shows them."""

MATCH_LABELS: dict[str, tuple[str, str]] = {
    "matched": ("已匹配", "Matched"),
    "matched_with_differences": ("匹配但有差异", "Matched with differences"),
    "missing_in_system": ("系统中缺失", "Missing in the system"),
    "duplicate": ("重复", "Duplicate"),
    "voided": ("已作废/红冲", "Voided"),
    "rejected": ("无法对账", "Rejected"),
    "no_document": ("无对应发票", "No document"),
    "none": ("未对账", "Not reconciled"),
}


def _edited(t: Translator, params: dict) -> str:
    return "修改了" + "、".join(t.field(f) for f in str(params["fields"]).split(", "))


def _exported(_: Translator, params: dict) -> str:
    return f"已导出为 {str(params['format']).upper()}"


MESSAGES_EN: dict[str, str] = {
    "not_vat_invoice": "{name}: this is {what_en}, not a VAT invoice; fapiao does not read it. {todo_en}.",
}
"""The few messages an English page words otherwise than the service's English text (which names a non-invoice
in both languages, for logs and the CLI)."""

MESSAGES_ZH: dict[str, str | Callable[[Translator, dict], str]] = {
    "file_empty": "{name}：文件是空的，请确认上传已完成。",
    "file_too_large": "{name}：文件有 {size:,} 字节，超过上限 {limit:,} 字节；请拆分文件。",
    "file_active_content": "{name}：含有 {active} 内容，已拒收；这不是发票。",
    "file_unknown_type": (
        "{name}：无法识别的文件类型，不是 PDF、图片（JPEG/PNG/TIFF/BMP/WebP）、OFD 或发票 XML；请上传发票文件本身。"
    ),
    "file_zip": "{name}：这是 zip 压缩包，不是发票文件；请上传发票文件本身，压缩包请用批量补录。",
    "file_symlink": "{name}：这是符号链接，投递文件夹不读取链接；请把文件本身复制到收件文件夹。",
    "member_too_large": "{name}：解压后有 {size:,} 字节，超过上限 {limit:,} 字节；请拆分文件。",
    "member_encrypted": "{name}：在压缩包中加了密码；请不设密码重新放入压缩包。",
    "member_zip_bomb": "{name}：解压后膨胀 {ratio:,} 倍（{size:,} 字节），疑似压缩炸弹，已拒收。",
    "archive_unpacks_too_much": (
        "{name}：压缩包解压后总计超过 {limit:,} 字节；请拆分成较小的压缩包（FAPIAO_MAX_BACKFILL_UNPACKED_BYTES）。"
    ),
    "file_unreadable": "{name}：无法读取（{error}）；请检查文件后重新运行。",
    "link_unresolved": "{name}：无法解析（链接已失效？）；请把文件本身放入文件夹。",
    "link_outside_roots": "{name}：链接指向批量补录可读取的文件夹之外，已拒收；请把文件本身复制到文件夹中。",
    "loader_active_content": "{name}：含有 {active} 内容，不是发票，已拒收。",
    "loader_unsupported": (
        "{name}：无法识别的文件类型，不是 PDF、图片（JPEG/PNG/TIFF/BMP/WebP）、OFD 或发票 XML；请上传发票文件本身。"
    ),
    "loader_zip": "{name}：这是 zip 压缩包，不是发票文件；压缩包请用批量补录。",
    "pdf_unopenable": "{name}：PDF 无法打开（{error}）；请重新导出或重新扫描。",
    "pdf_encrypted": "{name}：PDF 设有密码；请去除密码后重新上传。",
    "rejected_by_reviewer": "{name}：复核人已拒收，不作为有效发票。",
    "pdf_no_pages": "{name}：PDF 没有页面；请确认导出已完成。",
    "too_many_pages": "{name}：共 {pages} 页，超过上限 {limit} 页；请拆分文件。",
    "page_unloadable": "{name}：第 {page} 页无法加载（{error}）；请重新导出 PDF。",
    "page_unreadable": "{name}：第 {page} 页无法读取（{error}）；请重新导出 PDF。",
    "page_unrenderable": "{name}：第 {page} 页无法渲染（{error}）；请重新导出 PDF。",
    "image_too_large": "{name}：图像过大，无法安全解码（{error}）；请以 200–300 dpi 扫描。",
    "image_undecodable": "{name}：{kind} 图像无法解码（{error}）；请重新扫描或重新导出。",
    "image_too_many_pages": "{name}：超过 {limit} 页；请拆分文件。",
    "image_too_many_pixels": (
        "{name}：第 {page} 页为 {width} × {height} 像素，超过上限 {limit:,} 像素；请以 200–300 dpi 扫描。"
    ),
    "image_no_frames": "{name}：图像中没有任何画面；请重新扫描。",
    "xml_entities": "{name}：XML 使用了 DTD 或实体，已拒收（{error}）；请从税务平台重新导出发票 XML。",
    "xml_malformed": "{name}：XML 格式不正确（{error}）；请确认文件完整。",
    "xml_no_invoice": "{name}：XML 中没有发票号码或金额；请上传发票 XML 本身。",
    "ofd_not_zip": "{name}：OFD 容器不是有效的 zip（{error}）；请重新导出。",
    "ofd_unpacks_too_much": "{name}：OFD 解压后有 {size:,} 字节，不是正常的发票 OFD。",
    "ofd_part_missing": "{name}：OFD 缺少部件 {part}；请重新导出 OFD。",
    "ofd_part_too_large": "{name}：OFD 部件 {part} 有 {size:,} 字节，不是正常的 OFD。",
    "ofd_part_unreadable": "{name}：OFD 部件 {part} 无法读取（{error}）；请重新导出 OFD。",
    "ofd_part_oversized": "{name}：OFD 部件 {part} 过大，不是正常的 OFD。",
    "ofd_no_docroot": "{name}：OFD.xml 没有指明 DocRoot；请重新导出 OFD。",
    "ofd_too_many_pages": "{name}：共 {pages} 页，超过上限 {limit} 页；请拆分文件。",
    "ofd_no_page": "{name}：OFD 的页面都无法读取（缺少 {missing}）；请重新导出。",
    "needs_ocr": "{name}：第 {page} 页没有文字层，需要 OCR；请开启 OCR，或上传电子原件。",
    "no_text": "{name}：所有页面上都没有文字；请确认文件是发票。",
    "no_invoice_fields": "{name}：没有找到发票号码、金额或明细；请确认文件是增值税发票。",
    "not_vat_invoice": "{name}：这是{what_zh}，不是增值税发票，fapiao 不读取它；{todo_zh}。",
    "no_invoice_read": "未能读出发票：既没有发票号码，也没有任何金额。",
    "no_invoice_found": "未识别出发票",
    "processing_failed": "处理 {name} 时发生内部错误：{error}",
    "storing_failed": "保存 {name} 的结果时发生内部错误：{error}",
    "not_an_amount": "“{value}”不是金额",
    "amount_too_large": "“{value}”超出了任何发票金额的范围",
    "not_a_date": "“{value}”不是日期（应为 YYYY-MM-DD）",
    "not_a_status": "“{value}”不是发票状态（正常 / 作废 / 红冲）",
    "cell_unreadable": "单元格的值无法读取（{error}）",
    "row_no_number": "没有发票号码（发票号码和数电票号码均为空）",
    "row_bad_number": "发票号码“{value}”应为 8 位数字（有发票代码时）或 20 位数字（数电票）",
    "row_bad_code": "发票代码“{value}”应为 10 或 12 位数字",
    "row_no_amount": "没有金额（金额和价税合计均为空）",
    "row_totals_disagree": "金额 {amount} + 税额 {tax} ≠ 价税合计 {with_tax}；请在系统导出中更正该行",
    "row_repeated": "与第 {first} 行是同一张发票（{key}）；已保留第一行，请删除重复的行",
    "note": "{text}",
    "draft_missing": "对账发现系统中缺失",
    "draft_resolved": "系统记录导入中已有此发票",
    "draft_edited": _edited,
    "draft_confirmed_over_errors": "在仍有 {errors} 个错误时确认，原因：{reason}",
    "draft_exported": _exported,
}
"""The service's messages (refusals, why a document could not be read, bad rows, draft history notes) in
Chinese, by the code ``fapiao.core.messages.TEXT`` words in English; the wording says what to do, in place
of the English hint. A function words what a template cannot (field labels, an upper-case format)."""

SEARCH_REASONS: dict[str, str] = {
    "number": "号码包含 {q}",
    "near_number": "号码与 {q} 相差 {n} 位",
    "tax_id": "税号包含 {q}",
    "name": "名称近似“{q}”",
    "file": "文件名或状态包含 {q}",
    "amount": "金额为 {a}",
    "amount_range": "金额在 {a} 至 {b} 之间",
    "issued": "开票日期 {a}",
    "issued_range": "开票日期 {a} 至 {b}",
}
"""Why a search hit matched, in Chinese, by the reason code the search returns
(``fapiao.matching.search_query.REASON_TEXT`` words the same codes in English)."""


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

    def invalid_value(self, field: str, value: object) -> str:
        """Why an edited value was refused, naming the field (or the items table's cell) as the page labels it."""
        parts = field.split(".")
        if len(parts) == 3 and parts[0] == "items" and parts[1].isdigit():
            label = self("err.item_cell", n=int(parts[1]) + 1, col=self.field(parts[2]))
        else:
            label = self.field(parts[0])
        return self("err.invalid_value", f=label, v="" if value is None else value)

    def field(self, name: str) -> str:
        pair = FIELD_LABELS.get(name)
        return pair[self._i] if pair else name

    def rule(self, code: str) -> str:
        """What a deciding rule checks (``arith.sum_tax`` → 各行税额之和等于合计税额)."""
        pair = RULE_LABELS.get(code)
        return pair[self._i] if pair else code

    def match(self, category: str | None) -> str:
        """A reconciliation category (``none``: not reconciled yet)."""
        pair = MATCH_LABELS.get(category or "none")
        return pair[self._i] if pair else str(category)

    def kind(self, invoice_type: str | None) -> str:
        pair = INVOICE_TYPES.get(invoice_type or "unknown")
        return pair[self._i] if pair else str(invoice_type)

    def finding(self, f: dict) -> str:
        """A finding's message as this page's reader reads it: in its language, fields by their labels and the
        deciding rule by what it checks. Findings stored before the rules wrote labels (``total_tax 识别为 …
        （arith.sum_tax）``) read the same; the code itself stays in the markup (``data-code``)."""
        text = ((f.get("message_zh") if self.lang == "zh" else None) or f.get("message") or "").strip()
        return reworded(text, self._i)

    def message(self, text: str | None, code: str | None = None, params: dict | None = None) -> str:
        """A service message (a refusal, why a file could not be read, a bad row's reason) in the page's
        language, from its ``code`` and ``params``; a message stored without a code (older rows, errors that
        have none) is shown as it is."""
        message = stored(code, params)
        if message is None or (self.lang == "en" and text and message.code not in MESSAGES_EN):
            return text or ""
        return self._worded([message], text or "")

    def note(self, text: str | None, codes: list | None = None) -> str:
        """A draft history note in the page's language, from its parts' codes (``note_codes``); what a person
        typed is shown as it is, and so is a note stored without codes."""
        parts = [Message.from_json(c) for c in codes or ()]
        if not parts or self.lang == "en":
            return text or ""
        return self._worded(parts, text or "")

    def error(self, exc: FapiaoError) -> str:
        """A refusal the service raised, in the page's language when it carries a coded message (in English
        with its hint otherwise)."""
        text = f"{exc.message} — {exc.hint}" if exc.hint else exc.message
        return self._worded([exc.msg], text) if exc.msg is not None and self.lang == "zh" else text

    def _worded(self, messages: list[Message | None], stored_text: str) -> str:
        """``messages`` in the page's language, joined as the language joins a list; ``stored_text`` when one
        of them cannot be worded (a code this version does not know, parameters that do not fit)."""
        out = []
        for message in messages:
            if message is None:
                return stored_text
            zh = (MESSAGES_ZH if self.lang == "zh" else MESSAGES_EN).get(message.code)
            params = dict(message.params)
            try:
                if zh is None:
                    out.append(message.text)
                elif callable(zh):
                    out.append(zh(self, params))
                else:
                    out.append(zh.format(**params))
            except (KeyError, IndexError, ValueError, TypeError):
                return stored_text
        return ("；" if self.lang == "zh" else "; ").join(out)

    def reason(self, reason: dict) -> str:
        """Why a search hit matched (``{"code", "params"}`` as the search returns it), in the page's language."""
        params = reason.get("params") or {}
        if self.lang == "zh" and reason.get("code") in SEARCH_REASONS:
            return SEARCH_REASONS[reason["code"]].format(**params)
        return Reason(reason["code"], tuple(params.items())).text
