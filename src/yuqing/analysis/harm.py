"""Reading the harm a text reports, sentence by sentence: what the risk model (risk.py) weighs.

A cue word is not harm by itself. Each cue found is read in its sentence and gets a status:

- ``live``: it happened or is happening;
- ``negated``: 「无人员伤亡」, 「幸未造成」, 「否认殴打」 — a negation just before it in its clause;
- ``hypothetical``: 「万一发生起火」, 「防止发生事故」, 「存在火灾隐患」 — a condition, a warning or a hazard;
- ``figurative``: 「心情爆炸」, 「笑死」, 「混入了泥石流」, 「两户门打架」, or a non-human victim (bees, a virus);
- ``past``: the sentence is about an anniversary or a year long before the text was written.

Besides the cues it reads what the issue names as easy to miss: harm written without a cue word
(「被拐走」, 「体罚导致截瘫」, 「拒收」), casualty numbers (「3人死亡」), how many people are affected
(「2100户」, 「上千名业主」), collective action (聚集 上访 拉横幅 维权 讨薪 堵路 罢工) and whether it
is set for a date, vulnerable victims (children, the elderly, patients), and the kind of text
(notice, explainer, follow-up, a count bulletin, a request). Everything here is patterns over the
text; the weights live in the model. Each part keeps the words it matched, for the reasons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

import ahocorasick_rs

# Cues by kind. The first five are harm to people; the rest are conflict, livelihood and conduct.
CUES: dict[str, tuple[str, ...]] = {
    "伤亡": ("死亡", "身亡", "遇难", "丧生", "罹难", "伤亡", "死伤", "受伤", "重伤", "轻伤", "失踪", "被困",
           "烧死", "溺亡", "溺水", "殒命", "不治", "窒息", "送医", "抢救无效", "去世", "离世", "遇害", "丧命",
           "夭折", "撞死", "砸死", "压死", "摔死", "打死", "烧伤", "烫伤", "骨折", "截瘫", "昏迷", "病危",
           "生命危险", "抢救", "尸体", "男尸", "女尸", "遗体", "受困", "失联", "伤者", "死者", "牺牲", "猝死",
           "遇险", "割掉", "砍废", "截肢", "致残", "不收治", "无法住院", "没法住院", "没法治疗", "不给钱不救"),
    "火灾爆炸": ("火灾", "起火", "着火", "失火", "大火", "火情", "爆炸", "爆燃", "浓烟", "燃气泄漏", "山火"),
    "事故": ("事故", "车祸", "追尾", "相撞", "侧翻", "坍塌", "倒塌", "塌方", "泄漏", "坠落", "触电", "翻车",
           "失事", "坠楼", "坠亡", "塌陷", "垮塌", "被撞", "撞倒", "压断", "砸伤", "摔伤", "坠毁", "击落"),
    "中毒疫情": ("中毒", "上吐下泻", "呕吐腹泻", "呕吐", "腹泻", "毒气", "疫情", "感染", "聚集性", "发霉", "变质"),
    "自然灾害": ("地震", "余震", "洪水", "洪涝", "山洪", "暴雨", "内涝", "台风", "冰雹", "泥石流", "滑坡",
             "暴雪", "龙卷风", "海啸"),
    "暴力犯罪": ("殴打", "斗殴", "打人", "砍人", "持刀", "行凶", "杀人", "命案", "袭击", "绑架", "劫持",
             "抢劫", "枪击", "爆炸物", "枪支", "炸药", "管制刀具", "性侵", "猥亵", "虐待", "体罚", "欺凌",
             "霸凌", "被打", "打伤", "暴打", "群殴", "打砸", "砍伤", "砍死", "刺伤", "刺死", "捅伤", "捅死",
             "枪杀", "开枪", "强奸", "轮奸", "拐卖", "被拐", "拐走", "抱走", "人贩子", "血案", "灭门", "割喉",
             "武斗", "走失", "寻子", "寻人", "被砍", "砍了", "毒打", "诱拐", "拐骗", "暴力", "施暴", "家暴"),
    "治安诈骗": ("盗窃", "被盗", "诈骗", "传销", "赌博", "吸毒", "贩毒", "涉黑", "黑恶", "敲诈", "勒索",
             "非法集资", "高利贷", "暴力催收", "骗取", "血本无归", "爆雷", "不兑付", "无法兑付", "卷款"),
    "自伤": ("自杀", "轻生", "跳楼", "跳河", "投江", "割腕", "不想活"),
    "医疗": ("拒收", "拒诊", "延误治疗", "医闹", "伤医", "误诊", "医疗事故"),
    "民生": ("拖欠工资", "欠薪", "拖欠", "强拆", "停水", "停电", "停暖", "断水", "断电", "不供暖", "没有暖气",
           "烂尾", "跑路", "断供", "安全隐患", "危房", "污染", "异味", "噪音", "扰民", "乱收费", "食品安全",
           "开裂", "漏水", "沉降", "无法交房", "不交房", "房产证"),
    "群体": ("聚集", "集聚", "上访", "信访", "群访", "越级", "拉横幅", "打横幅", "挂横幅", "横幅", "维权", "讨薪",
           "讨要工资", "堵路", "堵门", "围堵", "封堵", "罢工", "罢课", "停课", "静坐", "请愿", "联名", "游行",
           "示威", "抗议", "冲突", "对峙", "闹事", "群体性"),
    "失职腐败": ("腐败", "贪污", "受贿", "行贿", "索贿", "挪用", "渎职", "失职", "不作为", "乱作为", "吃拿卡要",
             "暴力执法", "包庇", "保护伞", "造假", "瞒报", "谎报", "权钱交易", "侵吞", "隐瞒", "打击报复"),
}
PEOPLE_KINDS = ("伤亡", "火灾爆炸", "事故", "中毒疫情", "自然灾害", "暴力犯罪", "自伤", "医疗")
KIND_LABELS = {"伤亡": "伤亡", "火灾爆炸": "火灾爆炸", "事故": "事故", "中毒疫情": "中毒/疫情", "自然灾害": "自然灾害",
               "暴力犯罪": "暴力/犯罪", "治安诈骗": "治安/诈骗", "自伤": "自伤", "医疗": "医疗", "民生": "民生",
               "群体": "群体性", "失职腐败": "失职腐败"}

_CUE_LIST = [(kind, w) for kind, words in CUES.items() for w in words]
_AUTOMATON = ahocorasick_rs.AhoCorasick([w for _, w in _CUE_LIST])

SENTENCE_END = re.compile(r"[。！？!?；;\n]+")
CLAUSE_MARK = set("，,、：:（）()【】[]「」“”\"《》…~～ ")

# A negation this close before a cue, in its clause, takes it back (无人员伤亡, 幸未造成人员伤亡,
# 未发现被困人员, 否认殴打老人). 没有/无 further back belong to another thing.
NEGATION = re.compile(r"(无|未|没有|没|不会|不致|不曾|幸未|并未|并无|尚无|暂无|暂未|未见|无一|否认|并非|不是|不存在|谣言|辟谣|不实)"
                      r"[^，,。！？!?；;]{0,6}$")
# 「伤亡情况不明」 is not negation; 「无人员伤亡」 is; a cue followed by 「谣言」「不实」 is a rumour refuted.
NEGATION_AFTER = re.compile(r"^[^，,。！？!?；;]{0,4}(的?谣言|不实|系谣言|为谣言|是假的|纯属谣言)")
HYPOTHETICAL = re.compile(r"(减少|不要|别去|禁止|严禁|切勿|勿|万一|一旦|如果|若是|假如|倘若|如遇|如若|要是|防止|预防|避免|谨防|以防|防范|警惕|小心|"
                          r"注意|可能|或将|容易|易发|易引发|引发|导致|造成|担心|害怕|恐|会不会|演练|应急预案|怎么办|如何)"
                          r"[^。！？!?；;]{0,12}$")
HYPOTHETICAL_AFTER = re.compile(r"^[^，,。！？!?；;]{0,4}(隐患|风险|危险|的可能|预警|演练|应急|防范|预防|知识|常识)")
# Weighed against HYPOTHETICAL's 导致/造成: 「体罚导致截瘫」 happened. A hypothetical needs a conditional word.
CONDITIONAL = re.compile(r"减少|不要|别去|禁止|严禁|切勿|勿|万一|一旦|如果|若是|假如|倘若|如遇|如若|要是|防止|预防|避免|谨防|以防|防范|警惕|小心|注意|"
                         r"可能|或将|容易|易发|担心|害怕|会不会|演练|应急预案|怎么办|如何")
FIGURATIVE = re.compile(
    r"(笑|吓|累|气|烦|困|饿|冷|热|美|帅|馋|想|作|萌|甜|丑|酸|痛|忙|懒|急|闷|晒|冻|撑|羡慕|嫉妒|爱)死|死了算了|要死了?|"
    r"(心情|心态|情绪|人气|颜值|信息|流量|票房|演技|气场|脑子|脑袋|头|手机|朋友圈|微博|评论区|热搜|服务器|电脑|内心|宇宙)"
    r"[^，,。！？!?]{0,3}(爆炸|炸|崩溃|崩|死机)|车祸现场|灾难现场|翻车|混入了?泥石流|门打架|打架.{0,2}(门|腿|眼皮)|"
    r"杀疯|血洗|社死|(当场|原地|直接|瞬间)(去世|死亡|升天)|心肌梗塞|心梗|尬死|甜死|虐心|虐狗|被虐|好虐|虐哭|虐到|"
    r"被打脸|打脸|躺枪|中毒了|中毒太深|中毒很深|毒奶|洗脑|抢救一下|还可以再抢救|撞衫|撞脸|暴击|爆表|爆棚|火爆|爆款|爆料|"
    r"爆满|爆红|炸裂|炸鸡|跳楼价|跳楼机|冲突感|矛盾冲突|失联.{0,2}(的|了)?(朋友|老友)|地震般|震惊")
NON_HUMAN = re.compile(r"狗|猫|猪|牛|羊|鸡|鸭|鸟|蜜蜂|蜂群|蚂蚁|蚊子|蟑螂|老鼠|病毒在|细菌|细胞|植物|花草|树木|鱼儿|搜救犬|军犬|狗狗|小狗|猫咪|小猫|"
                       r"宠物|角色|僵尸|游戏|主角|电池|手机|电脑|股市|股票|基金")
PAST = re.compile(r"周年|年前|多年前|当年|那年|那一年|回顾|纪念|悼念|缅怀|追思|历史上|往事|昔日|曾经|旧案|老照片")
YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)年")
LIVE = re.compile(r"今天|今日|昨天|昨日|昨晚|昨夜|今晨|今早|今晚|凌晨|刚刚|刚才|目前|正在|现场|突发|网曝|网传|爆料|"
                  r"求扩散|紧急|急[！!]|求助|求救|近日|日前|当天|此刻|现在")

NOTICE = re.compile(r"通知|公告|通告|温馨提示|温馨提醒|提醒|倡议|告知书|演练|排查|专项整治|专项行动|检查|部署|会议|召开|培训|"
                    r"宣传|动员|督导|开展|工作组|防控指挥部|指挥部|发布会|新闻发布|举行")
EXPLAINER = re.compile(r"科普|知识|常识|小贴士|指南|一图看懂|怎么办|如何|怎样|方法|技巧|注意事项|原因是|原理|为什么|解读|解密")
FOLLOWUP = re.compile(r"通报|判处|判决|宣判|一审|二审|终审|开庭|庭审|死刑|核准|已抓获|抓获|落网|破案|告破|已被刑拘|刑拘|被捕|逮捕|"
                      r"批捕|追责|问责|处分|免职|撤职|调查结果|处理结果|后续|最新进展|回应|律师|赔偿|善后")
COUNT_BULLETIN = re.compile(r"(累计|新增|确诊|疑似|治愈|出院)[^。]{0,12}\d+\s*例|\d+\s*例[^。]{0,6}(确诊|疑似|病例)")
REQUEST = re.compile(r"何时|什么时候|请问|咨询|建议|希望|能否|可否|是否|诉求|恳请|请求|盼|为何|为什么")
FOREIGN = re.compile(r"美国|日本|英国|法国|德国|韩国|朝鲜|俄罗斯|俄|澳大利亚|新西兰|加拿大|意大利|西班牙|葡萄牙|希腊|荷兰|比利时|"
                     r"瑞士|瑞典|挪威|芬兰|丹麦|波兰|乌克兰|印度|泰国|新加坡|马来西亚|越南|老挝|柬埔寨|缅甸|菲律宾|印尼|"
                     r"尼泊尔|孟加拉|斯里兰卡|巴西|阿根廷|智利|秘鲁|哥伦比亚|委内瑞拉|墨西哥|古巴|海地|以色列|巴勒斯坦|伊朗|"
                     r"伊拉克|叙利亚|黎巴嫩|约旦|沙特|也门|阿富汗|巴基斯坦|埃及|利比亚|阿尔及利亚|突尼斯|摩洛哥|尼日利亚|"
                     r"肯尼亚|南非|埃塞俄比亚|索马里|苏丹|土耳其|哈萨克斯坦|吉尔吉斯|乌兹别克|蒙古|外媒|国外|海外|境外|"
                     r"波士顿|纽约|伦敦|东京|巴黎|悉尼|首尔|马尼拉|曼谷|莫斯科|马德里|安理会|联合国")
# Abroad: a foreign country in the headline and no Chinese citizen or Chinese place harmed.
CHINESE_PEOPLE = re.compile(r"中国游客|中国公民|中国籍|同胞|华人|华侨|中国人|我国公民|中方人员|中国船员|中国留学生|"
                            r"中国东海舰队|中国军|解放军")
CHINA = re.compile(r"北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|"
                   r"四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门|我国|国内|全国|[A-Z]\d*[市县区]")
DATELINE = re.compile(r"(19[5-9]\d|20[0-4]\d)\s*[年-]\s*\d{1,2}\s*[月-]\s*\d{1,2}")
NATURAL_DEATH = re.compile(r"因病|病逝|病故|癌症?去世|肝癌|肺癌|寿终|享年|逝世|安详")
MAGNITUDE = re.compile(r"(\d(?:\.\d)?)\s*级(?:强?地震|强震|大地震)?")
VICTIMS = re.compile(r"儿童|孩子|小孩|幼儿|婴儿|宝宝|女童|男童|女孩|男孩|小女孩|小男孩|学生|小学生|中学生|幼儿园|新生儿|"
                     r"老人|老太|大爷|大妈|老大爷|老奶奶|老爷爷|孕妇|患者|病人|残疾人|(?<!\d)(?:[1-9]|1[0-6]|[7-9]\d)岁")
OFFICIALS = re.compile(r"官员|干部|领导|局长|书记|村委|村干部|城管|执法|警察|民警|公安|派出所|特警|协警|辅警|政府|官二代|"
                       r"处长|科长|镇长|县长|市长|主任")
DATE_SET = re.compile(r"明天|后天|明日|下周|本周|周[一二三四五六日末]|下月|(?<!\d)\d{1,2}月\d{1,2}[日号]|"
                      r"(?<![\d月])\d{1,2}[日号](上午|下午|早上|晚上)|(?<!\d)\d{1,2}点")

# A gathering that happened: people sitting, kneeling or holding banners at a gate or an office,
# or going to the petition office, even when no collective-action word names it.
GATHERING = re.compile(r"(政府|市委|县委|区委|镇政府|信访局|信访办|门口|大门|广场|厂门|校门|售楼部|路口|楼下)[^，,。！？!?]{0,8}"
                       r"(坐了|坐着|聚集|围了|围着|跪|堵住|堵了|拉横幅|举牌|维权|讨说法|静坐)|"
                       r"(去到|来到|前往|赶到|跑到|集体去|一起去)[^，,。！？!?]{0,8}(信访|政府|市委|县委|区委|省委)")
AHEAD = ("明天", "后天", "明日", "下周", "下月")
GATHERINGS = ("聚集", "上访", "群访", "游行", "罢工", "罢课", "堵路", "堵门", "围堵", "静坐", "请愿", "示威")

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000}
_VAGUE = {"几": 5, "数": 5, "多": 3}
NUMBER = r"(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万几数]+)"
PEOPLE_NOUNS = (r"业主|村民|居民|住户|工人|农民工|民工|员工|职工|学生|群众|商户|家长|老人|孩子|儿童|患者|病人|游客|乘客|"
                r"受害者|受害人|出借人|投资者|投资人|教师|老师|市民|网友|同胞|人员|幸存者")
PEOPLE = re.compile(NUMBER + r"\s*(多|余|来)?\s*(名|个人|人(?!民币|民)|户|位|家|个家庭)(" + PEOPLE_NOUNS + r")?")
PEOPLE_WORDS = {"上千": 1000, "上万": 10_000, "数千": 3000, "数百": 300, "几百": 300, "几千": 3000, "成百上千": 1000,
                "成千上万": 10_000, "上百": 100, "近百": 90, "数十": 30, "几十": 30, "全体": 50, "整栋": 50, "全村": 300,
                "全镇": 3000, "全小区": 500, "多户": 5, "大批": 50, "大量": 50, "一大批": 50}
PEOPLE_WORD_RX = re.compile("(" + "|".join(sorted(PEOPLE_WORDS, key=len, reverse=True)) + r")[^，,。！？!?]{0,4}?("
                            + PEOPLE_NOUNS + r"|人|户|家庭|车友)")
CASUALTY = re.compile(NUMBER + r"\s*(名|人|位|个|具)?[^，,。！？!?；;\d]{0,5}?(死亡|遇难|身亡|丧生|罹难|受伤|重伤|轻伤|中毒|被困|"
                      r"失踪|失联|感染|死|伤|遇害|获救)")
CASUALTY_AFTER = re.compile(r"(死亡|遇难|受伤|中毒|被困|失踪|伤亡)(人数)?(达|为|至|高达|已达|超过)?\s*" + NUMBER + r"\s*(名|人|例)")
DEAD_WORDS = ("死亡", "遇难", "身亡", "丧生", "罹难", "死", "遇害")


def parse_number(s: str) -> float:
    """「26」 → 26, 「两千」 → 2000, 「十五」 → 15, 「几百」 → 500; unreadable → 0."""
    if not s:
        return 0.0
    if s[0].isdigit():
        try:
            return float(s)
        except ValueError:
            return 0.0
    total, section, digit = 0.0, 0.0, 0.0
    for ch in s:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _VAGUE:
            digit = _VAGUE[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit == 10_000:
                total += (section + digit) * unit
                section = 0.0
            else:
                section += (digit or 1) * unit
            digit = 0.0
    return total + section + digit


@dataclass(slots=True)
class Cue:
    kind: str
    word: str
    status: str            # live | negated | hypothetical | figurative | past
    context: str           # the clause it is in, for the reasons


@dataclass(slots=True)
class Reading:
    cues: list[Cue] = field(default_factory=list)
    dead: float = 0.0
    hurt: float = 0.0      # hurt, poisoned, trapped, missing, infected
    casualty_text: list[str] = field(default_factory=list)
    people: float = 0.0    # the largest group of people affected that the text counts
    people_text: str = ""
    dated_action: str = ""  # a collective action set for a date
    gathering: str = ""     # a gathering that happened (GATHERING)
    victims: list[str] = field(default_factory=list)        # in a sentence with live harm to people
    victims_any: bool = False
    officials: bool = False
    natural_death: bool = False
    magnitude: float = 0.0
    kinds: set[str] = field(default_factory=set)   # notice, explainer, followup, bulletin, request, past, live
    abroad: bool = False

    def live(self, kind: str | None = None) -> list[Cue]:
        return [c for c in self.cues if c.status == "live" and (kind is None or c.kind == kind)]


def _clause(sentence: str, start: int, end: int) -> str:
    lo, hi = start, end
    while lo > 0 and sentence[lo - 1] not in CLAUSE_MARK:
        lo -= 1
    while hi < len(sentence) and sentence[hi] not in CLAUSE_MARK:
        hi += 1
    return sentence[lo:hi]


def _status(sentence: str, start: int, end: int, figurative: list[tuple[int, int]], past: bool) -> str:
    before, after = sentence[max(0, start - 14):start], sentence[end:end + 8]
    if any(a <= start < b or a < end <= b for a, b in figurative):
        return "figurative"
    if NEGATION.search(before) or NEGATION_AFTER.search(after):
        return "negated"
    hyp = HYPOTHETICAL.search(before)
    if (hyp and CONDITIONAL.search(hyp.group(0))) or HYPOTHETICAL_AFTER.search(after):
        return "hypothetical"
    if NON_HUMAN.search(sentence[max(0, start - 20):start]):
        return "figurative"
    return "past" if past else "live"


def read(text: str, published_ts: float = 0.0) -> Reading:
    """Read `text` (simplified Chinese). `published_ts` dates it: a year two or more before it is the past."""
    r = Reading()
    year_now = datetime.fromtimestamp(published_ts, timezone.utc).year if published_ts > 0 else None
    dateline = DATELINE.search(text[:120])
    if dateline:      # a report's own dateline dates it better than when it was collected
        year_now = int(dateline.group(1))
    victims: list[str] = []
    story_past = None       # a text that opens in the past tells a story: its later sentences are then too
    for sentence in SENTENCE_END.split(text):
        if not sentence:
            continue
        matches = _AUTOMATON.find_matches_as_indexes(sentence, overlapping=True)
        if not matches and story_past is not None:
            continue            # nothing to read here (most sentences of a post)
        years = [int(y) for y in YEAR.findall(sentence if not dateline else sentence.replace(dateline.group(0), ""))]
        past = bool(PAST.search(sentence)) or bool(year_now and years and max(years) <= year_now - 2)
        if story_past is None:
            story_past = past
        past = past or (story_past and not LIVE.search(sentence) and not (years and max(years) > year_now - 2
                                                                           if year_now else False))
        if past:
            r.kinds.add("past")
        if not matches:
            continue
        figurative = [m.span() for m in FIGURATIVE.finditer(sentence)]
        seen: set[tuple[str, str]] = set()
        for i, start, end in matches:
            kind, word = _CUE_LIST[i]
            status = _status(sentence, start, end, figurative, past)
            if (word, status) in seen:
                continue
            seen.add((word, status))
            r.cues.append(Cue(kind, word, status, _clause(sentence, start, end)[:40]))
        if any(c.status == "live" and c.kind in PEOPLE_KINDS for c in r.cues[-len(seen):] if seen):
            victims += [v for v in VICTIMS.findall(sentence) if v not in victims]
    # a cue inside a longer cue found in the same place (拖欠 in 拖欠工资) is not counted twice
    words = {(c.word, c.status) for c in r.cues}
    r.cues = [c for c in r.cues if not any(o != c.word and c.word in o and (o, c.status) in words for o, _ in words)]
    _casualties(text, r)
    _people(text, r)
    r.victims, r.victims_any = victims[:4], bool(VICTIMS.search(text))
    r.officials = bool(OFFICIALS.search(text))
    r.abroad = bool(FOREIGN.search(text[:50])) and not CHINESE_PEOPLE.search(text) and not CHINA.search(text[:30])
    r.natural_death = bool(NATURAL_DEATH.search(text))
    for g in GATHERING.finditer(text):
        before = text[max(0, g.start() - 30):g.start()]
        before = SENTENCE_END.split(before)[-1]
        if not NEGATION.search(before[-8:]) and not CONDITIONAL.search(before):
            r.gathering = g.group(0)
            break
    m = MAGNITUDE.search(text)
    if m and "地震" in text:
        r.magnitude = float(m.group(1))
    head = text[:60]
    for name, rx in (("notice", NOTICE), ("explainer", EXPLAINER), ("followup", FOLLOWUP)):
        if rx.search(head) or len(rx.findall(text)) >= 2:
            r.kinds.add(name)
    if COUNT_BULLETIN.search(text):
        r.kinds.add("bulletin")
    if REQUEST.search(head):
        r.kinds.add("request")
    if LIVE.search(text):
        r.kinds.add("live")
    for c in r.live("群体"):
        # set for a date: a day ahead, or a gathering kind of action with its day or hour
        m = DATE_SET.search(c.context)
        if m and (m.group(0) in AHEAD or c.word in GATHERINGS):
            r.dated_action = f"{c.word}（{m.group(0)}）"
            break
    return r


def _casualties(text: str, r: Reading) -> None:
    for m in CASUALTY.finditer(text):
        n, word = parse_number(m.group(1)), m.group(3)
        if n <= 0 or n > 1e6 or (m.group(2) is None and not m.group(1)[0].isdigit() and word in ("死", "伤")):
            continue
        before = text[max(0, m.start() - 8):m.start()]
        if NEGATION.search(before) or word == "获救":
            continue
        if m.group(2) is None and word in ("死", "伤") and not re.search(r"致|造成|\d+死|\d+伤", text[max(0, m.start() - 3):m.end()]):
            continue
        if word in DEAD_WORDS:
            r.dead = max(r.dead, n)
        else:
            r.hurt = max(r.hurt, n)
        if len(r.casualty_text) < 3:
            r.casualty_text.append(m.group(0).strip())
    for m in CASUALTY_AFTER.finditer(text):
        n = parse_number(m.group(4))
        if 0 < n <= 1e6:
            if m.group(1) in ("死亡", "遇难"):
                r.dead = max(r.dead, n)
            else:
                r.hurt = max(r.hurt, n)
            if len(r.casualty_text) < 3:
                r.casualty_text.append(m.group(0).strip())


def _people(text: str, r: Reading) -> None:
    best, phrase = 0.0, ""
    for m in PEOPLE.finditer(text):
        n = parse_number(m.group(1))
        unit, noun = m.group(3), m.group(4)
        if unit in ("家", "位", "个人") and not noun:
            continue
        if unit == "人" and not noun and re.match(r"[次均份]", text[m.end():m.end() + 1] or " "):
            continue
        if n > best and n < 2e7:
            best, phrase = n, m.group(0)
    for m in PEOPLE_WORD_RX.finditer(text):
        n = PEOPLE_WORDS[m.group(1)]
        if n > best:
            best, phrase = n, m.group(0)
    r.people, r.people_text = best, phrase.strip()
