"""Write tests/data/mediacrawler_tool/ by running MediaCrawler's own store code (no browser).

MediaCrawler's `store/` functions take the platforms' API responses and write what its users
import into yuqing. This script feeds them a few API-shaped records per platform (posts,
comments, a reply to a comment, and in the early-2026 version a creator profile) and lets every
store it has write its files: JSON Lines (from 2026-03), JSON, CSV, Excel and SQLite.

It runs in a Python that has MediaCrawler's requirements (not yuqing's):

    python -m venv /tmp/mcvenv && /tmp/mcvenv/bin/pip install aiofiles aiosqlite sqlalchemy openpyxl \\
        pydantic httpx tenacity python-dotenv pyhumps jieba wordcloud matplotlib pandas parsel
    git -C MediaCrawler archive HEAD store database tools config base model var.py constant | tar -x -C /tmp/mc_head
    /tmp/mcvenv/bin/python scripts/make_mediacrawler_fixtures.py /tmp/mc_head tests/data/mediacrawler_tool/current
    (the same with c9bf3bc, 2026-02-28, into tests/data/mediacrawler_tool/early2026)

The texts are made up for the tests; the record shapes are MediaCrawler's.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

MC, OUT = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
sys.path.insert(0, str(MC))
os.chdir(MC)

import config  # noqa: E402
from config import db_config  # noqa: E402
from var import crawler_type_var, source_keyword_var  # noqa: E402

T0 = 1767406500          # 2026-01-03 10:15:00 +08:00

XHS_NOTES = [
    {"note_id": "65a1b2c3000000001e00a1b1", "type": "normal", "title": "广阳区万达广场新开的书店",
     "desc": "周末去了万达广场新开的书店，环境很好[赞R] #廊坊[话题]# #周末去哪儿[话题]#",
     "time": T0 * 1000, "last_update_time": T0 * 1000, "user": {"user_id": "5f0000000000000000000001",
     "nickname": "小红薯甲", "images": "https://sns-avatar.example/a.jpg"},
     "interact_info": {"liked_count": "1.2万", "collected_count": "350", "comment_count": "48", "share_count": "12"},
     "image_list": [{"url_default": "https://sns-webpic-qc.xhscdn.com/202601031015/a1.jpg", "url": ""},
                    {"url_default": "https://sns-webpic-qc.xhscdn.com/202601031015/a2.jpg", "url": ""}],
     "tag_list": [{"name": "廊坊", "type": "topic"}, {"name": "周末去哪儿", "type": "topic"}],
     "xsec_token": "ABxsec000001"},
]
XHS_COMMENTS = [
    {"id": "6600000000000000000000c1", "create_time": (T0 + 600) * 1000, "content": "请问停车方便吗",
     "user_info": {"user_id": "5f0000000000000000000002", "nickname": "路人乙"}, "sub_comment_count": 1,
     "pictures": [], "target_comment": {}, "like_count": 3},
    {"id": "6600000000000000000000c2", "create_time": (T0 + 900) * 1000, "content": "地下停车场周末免费两小时",
     "user_info": {"user_id": "5f0000000000000000000001", "nickname": "小红薯甲"}, "sub_comment_count": 0,
     "pictures": [{"url_default": "https://sns-webpic-qc.xhscdn.com/202601031030/c2.jpg"}],
     "target_comment": {"id": "6600000000000000000000c1"}, "like_count": 1},
]
XHS_CREATOR = {"basicInfo": {"nickname": "小红薯甲", "gender": 1, "images": "https://sns-avatar.example/a.jpg",
                             "desc": "廊坊吃喝玩乐｜探店", "ipLocation": "河北"},
               "interactions": [{"type": "follows", "count": 10}, {"type": "fans", "count": 2000},
                                {"type": "interaction", "count": 30000}],
               "tags": [{"tagType": "location", "name": "河北廊坊"}]}

WEIBO_NOTES = [
    {"mblog": {"id": "5240000000000001", "text": "广阳区新华路与爱民道路口积水严重，<a href='/n/x'>@廊坊发布</a> 请尽快处理",
               "created_at": "Sat Jan 03 10:15:00 +0800 2026", "attitudes_count": 20, "comments_count": 5,
               "reposts_count": 3, "user": {"id": 1000000001, "screen_name": "廊坊市民", "gender": "m",
                                             "profile_url": "https://m.weibo.cn/u/1000000001",
                                             "profile_image_url": "https://tvax1.sinaimg.cn/a.jpg"},
               "region_name": "发布于 河北"}},
]
WEIBO_COMMENTS = [
    {"id": 5240000000000101, "text": "同样遇到了，车都过不去", "created_at": "Sat Jan 03 10:30:00 +0800 2026",
     "total_number": 1, "like_count": 2, "rootid": "", "user": {"id": 1000000002, "screen_name": "网友丙"}},
    {"id": 5240000000000102, "text": "回复<a href='/n/y'>@网友丙</a>:已经打了12345", "created_at": "Sat Jan 03 10:40:00 +0800 2026",
     "total_number": 0, "like_count": 0, "rootid": "5240000000000101", "user": {"id": 1000000001, "screen_name": "廊坊市民"}},
]
WEIBO_CREATOR = {"id": 1000000001, "screen_name": "廊坊市民", "gender": "m", "avatar_hd": "https://tvax1.sinaimg.cn/a.jpg",
                 "description": "住在广阳", "follow_count": 100, "followers_count": 300, "ip_location": "河北"}

DY_AWEMES = [
    {"aweme_id": "7320000000000000001", "aweme_type": 0, "desc": "广阳区人民公园的冰灯亮了 #廊坊",
     "create_time": T0, "author": {"uid": "100001", "nickname": "抖音用户丁", "sec_uid": "MS4w"},
     "statistics": {"digg_count": 5000, "collect_count": 100, "comment_count": 60, "share_count": 30},
     "video": {"raw_cover": {"url_list": ["https://p3.douyinpic.com/a.jpeg", "https://p3.douyinpic.com/cover1.jpeg"]},
               "play_addr": {"url_list": ["https://v1.douyinvod.com/a.mp4", "https://v3.douyinvod.com/play1.mp4"]}},
     "music": {"play_url": {"uri": "https://sf3.douyinvod.com/m.mp3"}}},
]
DY_COMMENTS = [
    {"cid": "7320000000000000101", "aweme_id": "7320000000000000001", "text": "晚上几点开灯？", "create_time": T0 + 300,
     "user": {"uid": "100002", "nickname": "抖音用户戊"}, "reply_comment_total": 1, "digg_count": 4, "reply_id": "0"},
    {"cid": "7320000000000000102", "aweme_id": "7320000000000000001", "text": "五点半就亮了", "create_time": T0 + 600,
     "user": {"uid": "100001", "nickname": "抖音用户丁"}, "reply_comment_total": 0, "digg_count": 1,
     "reply_id": "7320000000000000101",
     "image_list": [{"origin_url": {"url_list": ["https://p3.douyinpic.com/x.jpeg", "https://p3.douyinpic.com/c102.jpeg"]}}]},
]

BILI_VIDEOS = [
    {"View": {"aid": 113000000000001, "title": "航拍廊坊广阳区新貌", "desc": "-", "pubdate": T0,
              "owner": {"mid": 200001, "name": "UP主己"}, "pic": "http://i0.hdslb.com/bfs/archive/cover1.jpg",
              "stat": {"like": 800, "dislike": 0, "view": 20000, "favorite": 90, "share": 15, "coin": 120,
                       "danmaku": 40, "reply": 33}}},
]
BILI_COMMENTS = [
    {"rpid": 250000000001, "parent": 0, "ctime": T0 + 1200, "content": {"message": "我家就在这附近"},
     "member": {"mid": 200002, "uname": "B站用户庚"}, "rcount": 1, "like": 9},
    {"rpid": 250000000002, "parent": 250000000001, "ctime": T0 + 1500, "content": {"message": "邻居你好"},
     "member": {"mid": 200003, "uname": "B站用户辛"}, "rcount": 0, "like": 2},
]

KS_VIDEOS = [
    {"photo": {"id": "3x0000000000001", "caption": "广阳区早市的豆腐脑，一碗五块", "timestamp": T0 * 1000,
               "realLikeCount": 321, "viewCount": 9000, "coverUrl": "https://p1.a.yximgs.com/cover1.jpg",
               "photoUrl": "https://v2.kwaicdn.com/play1.mp4"}, "type": 1, "author": {"id": "3x000001", "name": "快手用户壬"}},
]
KS_COMMENTS = [
    {"commentId": "900000001", "timestamp": (T0 + 100) * 1000, "content": "在哪个早市？", "authorId": "3x000002",
     "authorName": "快手用户癸", "subCommentCount": 0},
]


FAILED: list[str] = []


async def call(coro) -> None:
    """Run one store call; MediaCrawler's own failures (its PostgreSQL store refuses an int in a
    text column, e.g. douyin's comment likes) are reported, and the other records still written."""
    try:
        await coro
    except Exception as exc:  # noqa: BLE001 — the other tool's error, reported below
        FAILED.append(f"{config.SAVE_DATA_OPTION}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")


async def run(option: str) -> None:
    config.SAVE_DATA_OPTION = option
    config.SAVE_DATA_PATH = ""
    crawler_type_var.set("search")
    source_keyword_var.set("广阳")
    import store.bilibili as bili
    import store.douyin as dy
    import store.kuaishou as ks
    import store.tieba as tb
    import store.weibo as wb
    import store.xhs as xhs
    import store.zhihu as zh
    from model.m_baidu_tieba import TiebaComment, TiebaNote
    from model.m_zhihu import ZhihuComment, ZhihuContent

    if option in ("sqlite", "db", "postgres"):
        from database import db
        await db.init_db(option)
    for note in XHS_NOTES:
        await call(xhs.update_xhs_note(note))
    await call(xhs.batch_update_xhs_note_comments(XHS_NOTES[0]["note_id"], [dict(c) for c in XHS_COMMENTS]))
    await call(xhs.save_creator("5f0000000000000000000001", XHS_CREATOR))
    for note in WEIBO_NOTES:
        await call(wb.update_weibo_note(note))
    await call(wb.batch_update_weibo_note_comments(WEIBO_NOTES[0]["mblog"]["id"], WEIBO_COMMENTS))
    await call(wb.save_creator("1000000001", WEIBO_CREATOR))
    for aweme in DY_AWEMES:
        await call(dy.update_douyin_aweme(aweme))
    await call(dy.batch_update_dy_aweme_comments(DY_AWEMES[0]["aweme_id"], DY_COMMENTS))
    for video in BILI_VIDEOS:
        await call(bili.update_bilibili_video(video))
    await call(bili.batch_update_bilibili_video_comments(str(BILI_VIDEOS[0]["View"]["aid"]), BILI_COMMENTS))
    for video in KS_VIDEOS:
        await call(ks.update_kuaishou_video(video))
    await call(ks.batch_update_ks_video_comments(KS_VIDEOS[0]["photo"]["id"], KS_COMMENTS))
    tb_fields = set(TiebaNote.model_fields)
    note = {"note_id": "9100000001", "title": "广阳区哪里有修自行车的", "desc": "银河北路那家搬走了，求推荐",
            "note_url": "https://tieba.baidu.com/p/9100000001", "publish_time": "2026-01-03 10:15",
            "user_nickname": "贴吧用户子", "user_link": "https://tieba.baidu.com/home/main?id=tb.1",
            "user_avatar": "https://gss0.bdstatic.com/a.jpg", "tieba_name": "廊坊吧",
            "tieba_link": "https://tieba.baidu.com/f?kw=廊坊", "total_replay_num": 2, "total_replay_page": 1,
            "ip_location": "河北"}
    await call(tb.update_tieba_note(TiebaNote(**{k: v for k, v in note.items() if k in tb_fields})))
    tc_fields = set(TiebaComment.model_fields)
    comment = {"comment_id": "9100000101", "parent_comment_id": "", "content": "新华路北头有一家",
               "user_nickname": "贴吧用户丑", "user_link": "https://tieba.baidu.com/home/main?id=tb.2",
               "user_avatar": "https://gss0.bdstatic.com/b.jpg", "publish_time": "2026-01-03 11:02",
               "sub_comment_count": 0, "note_id": "9100000001", "note_url": "https://tieba.baidu.com/p/9100000001",
               "tieba_id": "1001", "tieba_name": "廊坊吧", "tieba_link": "https://tieba.baidu.com/f?kw=廊坊",
               "ip_location": "河北"}
    await call(tb.update_tieba_note_comment("9100000001", TiebaComment(**{k: v for k, v in comment.items() if k in tc_fields})))
    zc_fields = set(ZhihuContent.model_fields)
    content = {"content_id": "3300000001", "content_type": "answer", "content_text": "广阳区的老城区生活很方便，菜市场多。",
               "content_url": "https://www.zhihu.com/question/44/answer/3300000001", "question_id": "44",
               "title": "在廊坊广阳区生活是什么体验？", "desc": "", "created_time": T0, "updated_time": T0,
               "voteup_count": 12, "comment_count": 1, "user_id": "z1", "user_link": "https://www.zhihu.com/people/z1",
               "user_nickname": "知乎用户寅", "user_avatar": "https://pic1.zhimg.com/a.jpg", "user_url_token": "z1"}
    await call(zh.update_zhihu_content(ZhihuContent(**{k: v for k, v in content.items() if k in zc_fields})))
    zm_fields = set(ZhihuComment.model_fields)
    zcomment = {"comment_id": "3300000101", "parent_comment_id": "", "content": "同感，物价也不高",
                "publish_time": T0 + 3600, "ip_location": "河北", "sub_comment_count": 0, "like_count": 1,
                "dislike_count": 0, "content_id": "3300000001", "content_type": "answer", "user_id": "z2",
                "user_link": "https://www.zhihu.com/people/z2", "user_nickname": "知乎用户卯",
                "user_avatar": "https://pic1.zhimg.com/b.jpg"}
    await call(zh.update_zhihu_content_comment(ZhihuComment(**{k: v for k, v in zcomment.items() if k in zm_fields})))
    if option == "excel":
        from store.excel_store_base import ExcelStoreBase
        ExcelStoreBase.flush_all()


def main() -> None:
    work = MC / "data"
    shutil.rmtree(work, ignore_errors=True)
    sqlite_path = MC / "database" / "sqlite_tables.db"
    sqlite_path.unlink(missing_ok=True)
    db_config.sqlite_db_config["db_path"] = str(sqlite_path)
    options = ["json", "csv", "excel", "sqlite"]
    if "jsonl" in open(MC / "store" / "xhs" / "__init__.py", encoding="utf-8").read():
        options.insert(0, "jsonl")
    if os.environ.get("MC_POSTGRES"):      # host:port of a throwaway PostgreSQL for the postgres store
        host, port = os.environ["MC_POSTGRES"].split(":")
        db_config.postgres_db_config.update(host=host, port=int(port), user="postgres", password="", db_name="media_crawler")
        options.append("postgres")
    if os.environ.get("MC_MYSQL"):         # host:port of a throwaway MariaDB for its db (MySQL) store
        host, port = os.environ["MC_MYSQL"].split(":")
        db_config.mysql_db_config.update(host=host, port=int(port), user="root", password="", db_name="media_crawler")
        options.append("db")
    for option in options:
        asyncio.run(run(option))
    OUT.mkdir(parents=True, exist_ok=True)
    if work.exists():
        shutil.copytree(work, OUT / "data", dirs_exist_ok=True)
    if sqlite_path.exists():
        shutil.copy(sqlite_path, OUT / "sqlite_tables.db")
    if os.environ.get("MC_MYSQL"):        # the tables its db store wrote, as SQL the tests load
        import subprocess
        host, port = os.environ["MC_MYSQL"].split(":")
        with open(OUT / "mysql.sql", "wb") as f:
            subprocess.run(["mariadb-dump", "-h", host, "-P", port, "-u", "root", "--skip-dump-date",
                            "media_crawler"], check=True, stdout=f)
    if os.environ.get("MC_POSTGRES"):     # the tables its postgres store wrote, as SQL the tests load
        import subprocess
        host, port = os.environ["MC_POSTGRES"].split(":")
        subprocess.run(["pg_dump", "-h", host, "-p", port, "-U", "postgres", "--no-owner", "--no-privileges",
                        "-d", "media_crawler", "-f", str(OUT / "postgres.sql")], check=True)
    for line in FAILED:
        print("MediaCrawler's store failed:", line)
    print(f"wrote {OUT}: {sorted(str(p.relative_to(OUT)) for p in OUT.rglob('*') if p.is_file())}")


if __name__ == "__main__":
    main()
