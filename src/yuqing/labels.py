"""The words a person reads for the codes the data keeps (weibo → 微博, high → 高, user.add → 新增用户).

One table for pages, exports, reports, PDFs and the audit log; the codes stay in the API, the
JSON and the store. `zh(kind, code)` returns the code itself when the table has no word for it
(a new platform shows as its code rather than disappearing).
"""

from __future__ import annotations

from .models import PLATFORM_LABELS, SENTIMENT_LABELS

LABELS: dict[str, dict[str, str]] = {
    "platform": PLATFORM_LABELS,
    "sentiment": SENTIMENT_LABELS,
    "risk": {"high": "高", "medium": "中", "low": "低"},
    "level": {"high": "高", "medium": "中", "low": "低"},
    "relevance": {"yes": "涉及本区", "possible": "疑似涉及", "no": "不涉及"},
    "stage": {"latent": "潜伏", "outbreak": "爆发", "peak": "高峰", "decline": "消退"},
    "source_kind": {"feed": "订阅源", "pages": "网页", "replay": "回放", "files": "投放目录", "hotlist": "热榜"},
    "role": {"admin": "管理员", "analyst": "分析员", "leader": "领导", "viewer": "只读"},
    "report": {"daily": "日报", "weekly": "周报", "monthly": "月报", "event": "专报"},
    "action": {
        "login": "登录", "login.failed": "登录失败", "login.attempt": "尝试登录", "login.throttled": "登录过频被拒",
        "user.add": "新增用户", "user.change": "修改用户", "token.add": "新增令牌", "token.revoke": "吊销令牌",
        "export": "导出", "scheme.save": "保存方案", "source.save": "保存来源", "kpi.export": "导出绩效自评",
        "kpi.note": "填写效益指标", "kpi.audit.draw": "抽取覆盖率审核样本", "relevance.judge": "人工判断相关性",
        "report.make": "生成报告", "report.edit": "修改报告", "report.issue": "签发报告",
        "report.download": "下载报告", "case.assign": "指派工单", "case.note": "工单备注",
        "scheme.enable": "启用方案", "scheme.disable": "停用方案",
    },
}


def zh(kind: str, code: object) -> str:
    """The Chinese word for a code of `kind`; the code itself when there is none; "" for nothing."""
    if code is None or code == "":
        return ""
    return LABELS.get(kind, {}).get(str(code), str(code))
