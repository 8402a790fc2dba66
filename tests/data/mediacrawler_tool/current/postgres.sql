--
-- PostgreSQL database dump
--

\restrict bmWT2VugGGEMzPQoE6Q0KxFSgbhdc4M1vXdzI60IhKU3dOYweGA8fBnwBN9NByu

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: bilibili_up_dynamic; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.bilibili_up_dynamic (
    id integer NOT NULL,
    dynamic_id character varying(128),
    creator_hash character varying(64),
    user_name text,
    text text,
    type text,
    pub_ts bigint,
    total_comments integer,
    total_forwards integer,
    total_liked integer,
    add_ts bigint,
    last_modify_ts bigint
);


--
-- Name: COLUMN bilibili_up_dynamic.id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_up_dynamic.id IS '主键ID';


--
-- Name: COLUMN bilibili_up_dynamic.dynamic_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_up_dynamic.dynamic_id IS '动态ID';


--
-- Name: COLUMN bilibili_up_dynamic.creator_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_up_dynamic.creator_hash IS '创作者匿名哈希';


--
-- Name: COLUMN bilibili_up_dynamic.user_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_up_dynamic.user_name IS '用户名称(已脱敏)';


--
-- Name: COLUMN bilibili_up_dynamic.text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_up_dynamic.text IS '动态内容';


--
-- Name: COLUMN bilibili_up_dynamic.type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_up_dynamic.type IS '动态类型';


--
-- Name: COLUMN bilibili_up_dynamic.pub_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_up_dynamic.pub_ts IS '发布时间戳';


--
-- Name: COLUMN bilibili_up_dynamic.total_comments; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_up_dynamic.total_comments IS '总评论数';


--
-- Name: COLUMN bilibili_up_dynamic.total_forwards; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_up_dynamic.total_forwards IS '总转发数';


--
-- Name: COLUMN bilibili_up_dynamic.total_liked; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_up_dynamic.total_liked IS '总点赞数';


--
-- Name: COLUMN bilibili_up_dynamic.add_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_up_dynamic.add_ts IS '添加时间戳';


--
-- Name: COLUMN bilibili_up_dynamic.last_modify_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_up_dynamic.last_modify_ts IS '最后修改时间戳';


--
-- Name: bilibili_up_dynamic_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.bilibili_up_dynamic_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: bilibili_up_dynamic_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.bilibili_up_dynamic_id_seq OWNED BY public.bilibili_up_dynamic.id;


--
-- Name: bilibili_video; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.bilibili_video (
    id integer NOT NULL,
    video_id character varying(64) NOT NULL,
    video_url text NOT NULL,
    creator_hash character varying(64),
    nickname text,
    liked_count integer,
    add_ts bigint,
    last_modify_ts bigint,
    video_type text,
    title text,
    "desc" text,
    create_time bigint,
    disliked_count text,
    video_play_count text,
    video_favorite_count text,
    video_share_count text,
    video_coin_count text,
    video_danmaku text,
    video_comment text,
    video_cover_url text,
    source_keyword text
);


--
-- Name: COLUMN bilibili_video.id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.id IS '主键ID';


--
-- Name: COLUMN bilibili_video.video_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.video_id IS '视频ID';


--
-- Name: COLUMN bilibili_video.video_url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.video_url IS '视频URL';


--
-- Name: COLUMN bilibili_video.creator_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.creator_hash IS '创作者匿名哈希';


--
-- Name: COLUMN bilibili_video.nickname; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.nickname IS '用户昵称(已脱敏)';


--
-- Name: COLUMN bilibili_video.liked_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.liked_count IS '点赞数';


--
-- Name: COLUMN bilibili_video.add_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.add_ts IS '添加时间戳';


--
-- Name: COLUMN bilibili_video.last_modify_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.last_modify_ts IS '最后修改时间戳';


--
-- Name: COLUMN bilibili_video.video_type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.video_type IS '视频类型';


--
-- Name: COLUMN bilibili_video.title; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.title IS '视频标题';


--
-- Name: COLUMN bilibili_video."desc"; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video."desc" IS '视频描述';


--
-- Name: COLUMN bilibili_video.create_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.create_time IS '创建时间戳';


--
-- Name: COLUMN bilibili_video.disliked_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.disliked_count IS '点踩数';


--
-- Name: COLUMN bilibili_video.video_play_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.video_play_count IS '播放数';


--
-- Name: COLUMN bilibili_video.video_favorite_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.video_favorite_count IS '收藏数';


--
-- Name: COLUMN bilibili_video.video_share_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.video_share_count IS '分享数';


--
-- Name: COLUMN bilibili_video.video_coin_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.video_coin_count IS '硬币数';


--
-- Name: COLUMN bilibili_video.video_danmaku; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.video_danmaku IS '弹幕数';


--
-- Name: COLUMN bilibili_video.video_comment; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.video_comment IS '评论数';


--
-- Name: COLUMN bilibili_video.video_cover_url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.video_cover_url IS '视频封面URL';


--
-- Name: COLUMN bilibili_video.source_keyword; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video.source_keyword IS '来源关键词';


--
-- Name: bilibili_video_comment; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.bilibili_video_comment (
    id integer NOT NULL,
    creator_hash character varying(64),
    nickname text,
    add_ts bigint,
    last_modify_ts bigint,
    comment_id character varying(128),
    video_id character varying(64),
    content text,
    create_time bigint,
    sub_comment_count text,
    parent_comment_id character varying(255),
    like_count text
);


--
-- Name: COLUMN bilibili_video_comment.id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video_comment.id IS '主键ID';


--
-- Name: COLUMN bilibili_video_comment.creator_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video_comment.creator_hash IS '创作者匿名哈希';


--
-- Name: COLUMN bilibili_video_comment.nickname; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video_comment.nickname IS '用户昵称(已脱敏)';


--
-- Name: COLUMN bilibili_video_comment.add_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video_comment.add_ts IS '添加时间戳';


--
-- Name: COLUMN bilibili_video_comment.last_modify_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video_comment.last_modify_ts IS '最后修改时间戳';


--
-- Name: COLUMN bilibili_video_comment.comment_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video_comment.comment_id IS '评论ID';


--
-- Name: COLUMN bilibili_video_comment.video_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video_comment.video_id IS '视频ID';


--
-- Name: COLUMN bilibili_video_comment.content; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video_comment.content IS '评论内容';


--
-- Name: COLUMN bilibili_video_comment.create_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video_comment.create_time IS '创建时间戳';


--
-- Name: COLUMN bilibili_video_comment.sub_comment_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video_comment.sub_comment_count IS '子评论数';


--
-- Name: COLUMN bilibili_video_comment.parent_comment_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video_comment.parent_comment_id IS '父评论ID';


--
-- Name: COLUMN bilibili_video_comment.like_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.bilibili_video_comment.like_count IS '点赞数';


--
-- Name: bilibili_video_comment_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.bilibili_video_comment_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: bilibili_video_comment_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.bilibili_video_comment_id_seq OWNED BY public.bilibili_video_comment.id;


--
-- Name: bilibili_video_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.bilibili_video_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: bilibili_video_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.bilibili_video_id_seq OWNED BY public.bilibili_video.id;


--
-- Name: douyin_aweme; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.douyin_aweme (
    id integer NOT NULL,
    creator_hash character varying(64),
    nickname text,
    add_ts bigint,
    last_modify_ts bigint,
    aweme_id character varying(255),
    aweme_type text,
    title text,
    "desc" text,
    create_time bigint,
    liked_count text,
    comment_count text,
    share_count text,
    collected_count text,
    aweme_url text,
    cover_url text,
    video_download_url text,
    music_download_url text,
    note_download_url text,
    source_keyword text
);


--
-- Name: COLUMN douyin_aweme.id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.id IS '主键ID';


--
-- Name: COLUMN douyin_aweme.creator_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.creator_hash IS '创作者匿名哈希';


--
-- Name: COLUMN douyin_aweme.nickname; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.nickname IS '用户昵称(已脱敏)';


--
-- Name: COLUMN douyin_aweme.add_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.add_ts IS '添加时间戳';


--
-- Name: COLUMN douyin_aweme.last_modify_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.last_modify_ts IS '最后修改时间戳';


--
-- Name: COLUMN douyin_aweme.aweme_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.aweme_id IS '作品ID';


--
-- Name: COLUMN douyin_aweme.aweme_type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.aweme_type IS '作品类型';


--
-- Name: COLUMN douyin_aweme.title; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.title IS '作品标题';


--
-- Name: COLUMN douyin_aweme."desc"; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme."desc" IS '作品描述';


--
-- Name: COLUMN douyin_aweme.create_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.create_time IS '创建时间戳';


--
-- Name: COLUMN douyin_aweme.liked_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.liked_count IS '点赞数';


--
-- Name: COLUMN douyin_aweme.comment_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.comment_count IS '评论数';


--
-- Name: COLUMN douyin_aweme.share_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.share_count IS '分享数';


--
-- Name: COLUMN douyin_aweme.collected_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.collected_count IS '收藏数';


--
-- Name: COLUMN douyin_aweme.aweme_url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.aweme_url IS '作品URL';


--
-- Name: COLUMN douyin_aweme.cover_url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.cover_url IS '封面URL';


--
-- Name: COLUMN douyin_aweme.video_download_url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.video_download_url IS '视频下载URL';


--
-- Name: COLUMN douyin_aweme.music_download_url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.music_download_url IS '音乐下载URL';


--
-- Name: COLUMN douyin_aweme.note_download_url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.note_download_url IS '笔记下载URL';


--
-- Name: COLUMN douyin_aweme.source_keyword; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme.source_keyword IS '来源关键词';


--
-- Name: douyin_aweme_comment; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.douyin_aweme_comment (
    id integer NOT NULL,
    creator_hash character varying(64),
    nickname text,
    add_ts bigint,
    last_modify_ts bigint,
    comment_id character varying(255),
    aweme_id character varying(255),
    content text,
    create_time bigint,
    sub_comment_count text,
    parent_comment_id character varying(255),
    like_count text,
    pictures text
);


--
-- Name: COLUMN douyin_aweme_comment.id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme_comment.id IS '主键ID';


--
-- Name: COLUMN douyin_aweme_comment.creator_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme_comment.creator_hash IS '创作者匿名哈希';


--
-- Name: COLUMN douyin_aweme_comment.nickname; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme_comment.nickname IS '用户昵称(已脱敏)';


--
-- Name: COLUMN douyin_aweme_comment.add_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme_comment.add_ts IS '添加时间戳';


--
-- Name: COLUMN douyin_aweme_comment.last_modify_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme_comment.last_modify_ts IS '最后修改时间戳';


--
-- Name: COLUMN douyin_aweme_comment.comment_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme_comment.comment_id IS '评论ID';


--
-- Name: COLUMN douyin_aweme_comment.aweme_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme_comment.aweme_id IS '作品ID';


--
-- Name: COLUMN douyin_aweme_comment.content; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme_comment.content IS '评论内容';


--
-- Name: COLUMN douyin_aweme_comment.create_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme_comment.create_time IS '创建时间戳';


--
-- Name: COLUMN douyin_aweme_comment.sub_comment_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme_comment.sub_comment_count IS '子评论数';


--
-- Name: COLUMN douyin_aweme_comment.parent_comment_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme_comment.parent_comment_id IS '父评论ID';


--
-- Name: COLUMN douyin_aweme_comment.like_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme_comment.like_count IS '点赞数';


--
-- Name: COLUMN douyin_aweme_comment.pictures; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.douyin_aweme_comment.pictures IS '图片';


--
-- Name: douyin_aweme_comment_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.douyin_aweme_comment_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: douyin_aweme_comment_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.douyin_aweme_comment_id_seq OWNED BY public.douyin_aweme_comment.id;


--
-- Name: douyin_aweme_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.douyin_aweme_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: douyin_aweme_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.douyin_aweme_id_seq OWNED BY public.douyin_aweme.id;


--
-- Name: kuaishou_video; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.kuaishou_video (
    id integer NOT NULL,
    creator_hash character varying(64),
    nickname text,
    add_ts bigint,
    last_modify_ts bigint,
    video_id character varying(255),
    video_type text,
    title text,
    "desc" text,
    create_time bigint,
    liked_count text,
    viewd_count text,
    video_url text,
    video_cover_url text,
    video_play_url text,
    source_keyword text
);


--
-- Name: COLUMN kuaishou_video.id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video.id IS '主键ID';


--
-- Name: COLUMN kuaishou_video.creator_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video.creator_hash IS '创作者匿名哈希';


--
-- Name: COLUMN kuaishou_video.nickname; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video.nickname IS '用户昵称(已脱敏)';


--
-- Name: COLUMN kuaishou_video.add_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video.add_ts IS '添加时间戳';


--
-- Name: COLUMN kuaishou_video.last_modify_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video.last_modify_ts IS '最后修改时间戳';


--
-- Name: COLUMN kuaishou_video.video_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video.video_id IS '视频ID';


--
-- Name: COLUMN kuaishou_video.video_type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video.video_type IS '视频类型';


--
-- Name: COLUMN kuaishou_video.title; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video.title IS '视频标题';


--
-- Name: COLUMN kuaishou_video."desc"; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video."desc" IS '视频描述';


--
-- Name: COLUMN kuaishou_video.create_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video.create_time IS '创建时间戳';


--
-- Name: COLUMN kuaishou_video.liked_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video.liked_count IS '点赞数';


--
-- Name: COLUMN kuaishou_video.viewd_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video.viewd_count IS '观看数';


--
-- Name: COLUMN kuaishou_video.video_url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video.video_url IS '视频URL';


--
-- Name: COLUMN kuaishou_video.video_cover_url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video.video_cover_url IS '视频封面URL';


--
-- Name: COLUMN kuaishou_video.video_play_url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video.video_play_url IS '视频播放URL';


--
-- Name: COLUMN kuaishou_video.source_keyword; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video.source_keyword IS '来源关键词';


--
-- Name: kuaishou_video_comment; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.kuaishou_video_comment (
    id integer NOT NULL,
    creator_hash character varying(64),
    nickname text,
    add_ts bigint,
    last_modify_ts bigint,
    comment_id character varying(255),
    video_id character varying(255),
    content text,
    create_time bigint,
    sub_comment_count text
);


--
-- Name: COLUMN kuaishou_video_comment.id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video_comment.id IS '主键ID';


--
-- Name: COLUMN kuaishou_video_comment.creator_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video_comment.creator_hash IS '创作者匿名哈希';


--
-- Name: COLUMN kuaishou_video_comment.nickname; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video_comment.nickname IS '用户昵称(已脱敏)';


--
-- Name: COLUMN kuaishou_video_comment.add_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video_comment.add_ts IS '添加时间戳';


--
-- Name: COLUMN kuaishou_video_comment.last_modify_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video_comment.last_modify_ts IS '最后修改时间戳';


--
-- Name: COLUMN kuaishou_video_comment.comment_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video_comment.comment_id IS '评论ID';


--
-- Name: COLUMN kuaishou_video_comment.video_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video_comment.video_id IS '视频ID';


--
-- Name: COLUMN kuaishou_video_comment.content; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video_comment.content IS '评论内容';


--
-- Name: COLUMN kuaishou_video_comment.create_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video_comment.create_time IS '创建时间戳';


--
-- Name: COLUMN kuaishou_video_comment.sub_comment_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.kuaishou_video_comment.sub_comment_count IS '子评论数';


--
-- Name: kuaishou_video_comment_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.kuaishou_video_comment_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: kuaishou_video_comment_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.kuaishou_video_comment_id_seq OWNED BY public.kuaishou_video_comment.id;


--
-- Name: kuaishou_video_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.kuaishou_video_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: kuaishou_video_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.kuaishou_video_id_seq OWNED BY public.kuaishou_video.id;


--
-- Name: tieba_comment; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tieba_comment (
    id integer NOT NULL,
    comment_id character varying(255),
    parent_comment_id character varying(255),
    content text,
    creator_hash character varying(64),
    user_nickname text,
    tieba_id character varying(255),
    tieba_name text,
    tieba_link text,
    publish_time character varying(255),
    sub_comment_count integer,
    note_id character varying(255),
    note_url text,
    add_ts bigint,
    last_modify_ts bigint
);


--
-- Name: COLUMN tieba_comment.id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_comment.id IS '主键ID';


--
-- Name: COLUMN tieba_comment.comment_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_comment.comment_id IS '评论ID';


--
-- Name: COLUMN tieba_comment.parent_comment_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_comment.parent_comment_id IS '父评论ID';


--
-- Name: COLUMN tieba_comment.content; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_comment.content IS '评论内容';


--
-- Name: COLUMN tieba_comment.creator_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_comment.creator_hash IS '创作者匿名哈希';


--
-- Name: COLUMN tieba_comment.user_nickname; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_comment.user_nickname IS '用户昵称(已脱敏)';


--
-- Name: COLUMN tieba_comment.tieba_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_comment.tieba_id IS '贴吧ID';


--
-- Name: COLUMN tieba_comment.tieba_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_comment.tieba_name IS '贴吧名称';


--
-- Name: COLUMN tieba_comment.tieba_link; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_comment.tieba_link IS '贴吧链接';


--
-- Name: COLUMN tieba_comment.publish_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_comment.publish_time IS '发布时间';


--
-- Name: COLUMN tieba_comment.sub_comment_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_comment.sub_comment_count IS '子评论数';


--
-- Name: COLUMN tieba_comment.note_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_comment.note_id IS '笔记ID';


--
-- Name: COLUMN tieba_comment.note_url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_comment.note_url IS '笔记URL';


--
-- Name: COLUMN tieba_comment.add_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_comment.add_ts IS '添加时间戳';


--
-- Name: COLUMN tieba_comment.last_modify_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_comment.last_modify_ts IS '最后修改时间戳';


--
-- Name: tieba_comment_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.tieba_comment_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: tieba_comment_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.tieba_comment_id_seq OWNED BY public.tieba_comment.id;


--
-- Name: tieba_note; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tieba_note (
    id integer NOT NULL,
    note_id character varying(644),
    title text,
    "desc" text,
    note_url text,
    publish_time character varying(255),
    creator_hash character varying(64),
    user_nickname text,
    tieba_id character varying(255),
    tieba_name text,
    tieba_link text,
    total_replay_num integer,
    total_replay_page integer,
    add_ts bigint,
    last_modify_ts bigint,
    source_keyword text
);


--
-- Name: COLUMN tieba_note.id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_note.id IS '主键ID';


--
-- Name: COLUMN tieba_note.note_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_note.note_id IS '笔记ID';


--
-- Name: COLUMN tieba_note.title; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_note.title IS '笔记标题';


--
-- Name: COLUMN tieba_note."desc"; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_note."desc" IS '笔记描述';


--
-- Name: COLUMN tieba_note.note_url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_note.note_url IS '笔记URL';


--
-- Name: COLUMN tieba_note.publish_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_note.publish_time IS '发布时间';


--
-- Name: COLUMN tieba_note.creator_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_note.creator_hash IS '创作者匿名哈希';


--
-- Name: COLUMN tieba_note.user_nickname; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_note.user_nickname IS '用户昵称(已脱敏)';


--
-- Name: COLUMN tieba_note.tieba_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_note.tieba_id IS '贴吧ID';


--
-- Name: COLUMN tieba_note.tieba_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_note.tieba_name IS '贴吧名称';


--
-- Name: COLUMN tieba_note.tieba_link; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_note.tieba_link IS '贴吧链接';


--
-- Name: COLUMN tieba_note.total_replay_num; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_note.total_replay_num IS '总回复数';


--
-- Name: COLUMN tieba_note.total_replay_page; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_note.total_replay_page IS '总回复页数';


--
-- Name: COLUMN tieba_note.add_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_note.add_ts IS '添加时间戳';


--
-- Name: COLUMN tieba_note.last_modify_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_note.last_modify_ts IS '最后修改时间戳';


--
-- Name: COLUMN tieba_note.source_keyword; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tieba_note.source_keyword IS '来源关键词';


--
-- Name: tieba_note_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.tieba_note_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: tieba_note_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.tieba_note_id_seq OWNED BY public.tieba_note.id;


--
-- Name: weibo_note; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.weibo_note (
    id integer NOT NULL,
    creator_hash character varying(64),
    nickname text,
    add_ts bigint,
    last_modify_ts bigint,
    note_id character varying(64),
    content text,
    create_time bigint,
    create_date_time character varying(255),
    liked_count text,
    comments_count text,
    shared_count text,
    note_url text,
    source_keyword text
);


--
-- Name: COLUMN weibo_note.id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note.id IS '主键ID';


--
-- Name: COLUMN weibo_note.creator_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note.creator_hash IS '创作者匿名哈希';


--
-- Name: COLUMN weibo_note.nickname; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note.nickname IS '用户昵称(已脱敏)';


--
-- Name: COLUMN weibo_note.add_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note.add_ts IS '添加时间戳';


--
-- Name: COLUMN weibo_note.last_modify_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note.last_modify_ts IS '最后修改时间戳';


--
-- Name: COLUMN weibo_note.note_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note.note_id IS '笔记ID';


--
-- Name: COLUMN weibo_note.content; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note.content IS '笔记内容';


--
-- Name: COLUMN weibo_note.create_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note.create_time IS '创建时间戳';


--
-- Name: COLUMN weibo_note.create_date_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note.create_date_time IS '创建日期时间';


--
-- Name: COLUMN weibo_note.liked_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note.liked_count IS '点赞数';


--
-- Name: COLUMN weibo_note.comments_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note.comments_count IS '评论数';


--
-- Name: COLUMN weibo_note.shared_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note.shared_count IS '分享数';


--
-- Name: COLUMN weibo_note.note_url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note.note_url IS '笔记URL';


--
-- Name: COLUMN weibo_note.source_keyword; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note.source_keyword IS '来源关键词';


--
-- Name: weibo_note_comment; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.weibo_note_comment (
    id integer NOT NULL,
    creator_hash character varying(64),
    nickname text,
    add_ts bigint,
    last_modify_ts bigint,
    comment_id character varying(64),
    note_id character varying(64),
    content text,
    create_time bigint,
    create_date_time character varying(255),
    comment_like_count text,
    sub_comment_count text,
    parent_comment_id character varying(255)
);


--
-- Name: COLUMN weibo_note_comment.id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note_comment.id IS '主键ID';


--
-- Name: COLUMN weibo_note_comment.creator_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note_comment.creator_hash IS '创作者匿名哈希';


--
-- Name: COLUMN weibo_note_comment.nickname; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note_comment.nickname IS '用户昵称(已脱敏)';


--
-- Name: COLUMN weibo_note_comment.add_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note_comment.add_ts IS '添加时间戳';


--
-- Name: COLUMN weibo_note_comment.last_modify_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note_comment.last_modify_ts IS '最后修改时间戳';


--
-- Name: COLUMN weibo_note_comment.comment_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note_comment.comment_id IS '评论ID';


--
-- Name: COLUMN weibo_note_comment.note_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note_comment.note_id IS '笔记ID';


--
-- Name: COLUMN weibo_note_comment.content; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note_comment.content IS '评论内容';


--
-- Name: COLUMN weibo_note_comment.create_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note_comment.create_time IS '创建时间戳';


--
-- Name: COLUMN weibo_note_comment.create_date_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note_comment.create_date_time IS '创建日期时间';


--
-- Name: COLUMN weibo_note_comment.comment_like_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note_comment.comment_like_count IS '评论点赞数';


--
-- Name: COLUMN weibo_note_comment.sub_comment_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note_comment.sub_comment_count IS '子评论数';


--
-- Name: COLUMN weibo_note_comment.parent_comment_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.weibo_note_comment.parent_comment_id IS '父评论ID';


--
-- Name: weibo_note_comment_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.weibo_note_comment_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: weibo_note_comment_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.weibo_note_comment_id_seq OWNED BY public.weibo_note_comment.id;


--
-- Name: weibo_note_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.weibo_note_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: weibo_note_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.weibo_note_id_seq OWNED BY public.weibo_note.id;


--
-- Name: xhs_note; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.xhs_note (
    id integer NOT NULL,
    creator_hash character varying(64),
    nickname text,
    add_ts bigint,
    last_modify_ts bigint,
    note_id character varying(255),
    type text,
    title text,
    "desc" text,
    video_url text,
    "time" bigint,
    last_update_time bigint,
    liked_count text,
    collected_count text,
    comment_count text,
    share_count text,
    image_list text,
    tag_list text,
    note_url text,
    source_keyword text,
    xsec_token text
);


--
-- Name: COLUMN xhs_note.id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.id IS '主键ID';


--
-- Name: COLUMN xhs_note.creator_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.creator_hash IS '创作者匿名哈希';


--
-- Name: COLUMN xhs_note.nickname; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.nickname IS '用户昵称(已脱敏)';


--
-- Name: COLUMN xhs_note.add_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.add_ts IS '添加时间戳';


--
-- Name: COLUMN xhs_note.last_modify_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.last_modify_ts IS '最后修改时间戳';


--
-- Name: COLUMN xhs_note.note_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.note_id IS '笔记ID';


--
-- Name: COLUMN xhs_note.type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.type IS '笔记类型';


--
-- Name: COLUMN xhs_note.title; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.title IS '笔记标题';


--
-- Name: COLUMN xhs_note."desc"; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note."desc" IS '笔记描述';


--
-- Name: COLUMN xhs_note.video_url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.video_url IS '视频URL';


--
-- Name: COLUMN xhs_note."time"; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note."time" IS '时间戳';


--
-- Name: COLUMN xhs_note.last_update_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.last_update_time IS '最后更新时间戳';


--
-- Name: COLUMN xhs_note.liked_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.liked_count IS '点赞数';


--
-- Name: COLUMN xhs_note.collected_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.collected_count IS '收藏数';


--
-- Name: COLUMN xhs_note.comment_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.comment_count IS '评论数';


--
-- Name: COLUMN xhs_note.share_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.share_count IS '分享数';


--
-- Name: COLUMN xhs_note.image_list; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.image_list IS '图片列表';


--
-- Name: COLUMN xhs_note.tag_list; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.tag_list IS '标签列表';


--
-- Name: COLUMN xhs_note.note_url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.note_url IS '笔记URL';


--
-- Name: COLUMN xhs_note.source_keyword; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.source_keyword IS '来源关键词';


--
-- Name: COLUMN xhs_note.xsec_token; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note.xsec_token IS 'Xsec Token';


--
-- Name: xhs_note_comment; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.xhs_note_comment (
    id integer NOT NULL,
    creator_hash character varying(64),
    nickname text,
    add_ts bigint,
    last_modify_ts bigint,
    comment_id character varying(255),
    create_time bigint,
    note_id character varying(255),
    content text,
    sub_comment_count integer,
    pictures text,
    parent_comment_id character varying(255),
    like_count text
);


--
-- Name: COLUMN xhs_note_comment.id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note_comment.id IS '主键ID';


--
-- Name: COLUMN xhs_note_comment.creator_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note_comment.creator_hash IS '创作者匿名哈希';


--
-- Name: COLUMN xhs_note_comment.nickname; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note_comment.nickname IS '用户昵称(已脱敏)';


--
-- Name: COLUMN xhs_note_comment.add_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note_comment.add_ts IS '添加时间戳';


--
-- Name: COLUMN xhs_note_comment.last_modify_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note_comment.last_modify_ts IS '最后修改时间戳';


--
-- Name: COLUMN xhs_note_comment.comment_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note_comment.comment_id IS '评论ID';


--
-- Name: COLUMN xhs_note_comment.create_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note_comment.create_time IS '创建时间戳';


--
-- Name: COLUMN xhs_note_comment.note_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note_comment.note_id IS '笔记ID';


--
-- Name: COLUMN xhs_note_comment.content; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note_comment.content IS '评论内容';


--
-- Name: COLUMN xhs_note_comment.sub_comment_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note_comment.sub_comment_count IS '子评论数';


--
-- Name: COLUMN xhs_note_comment.pictures; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note_comment.pictures IS '图片';


--
-- Name: COLUMN xhs_note_comment.parent_comment_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note_comment.parent_comment_id IS '父评论ID';


--
-- Name: COLUMN xhs_note_comment.like_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.xhs_note_comment.like_count IS '点赞数';


--
-- Name: xhs_note_comment_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.xhs_note_comment_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: xhs_note_comment_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.xhs_note_comment_id_seq OWNED BY public.xhs_note_comment.id;


--
-- Name: xhs_note_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.xhs_note_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: xhs_note_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.xhs_note_id_seq OWNED BY public.xhs_note.id;


--
-- Name: zhihu_comment; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.zhihu_comment (
    id integer NOT NULL,
    comment_id character varying(64),
    parent_comment_id character varying(64),
    content text,
    publish_time character varying(32),
    sub_comment_count integer,
    like_count integer,
    dislike_count integer,
    content_id character varying(64),
    content_type text,
    creator_hash character varying(64),
    user_nickname text,
    add_ts bigint,
    last_modify_ts bigint
);


--
-- Name: COLUMN zhihu_comment.id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_comment.id IS '主键ID';


--
-- Name: COLUMN zhihu_comment.comment_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_comment.comment_id IS '评论ID';


--
-- Name: COLUMN zhihu_comment.parent_comment_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_comment.parent_comment_id IS '父评论ID';


--
-- Name: COLUMN zhihu_comment.content; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_comment.content IS '评论内容';


--
-- Name: COLUMN zhihu_comment.publish_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_comment.publish_time IS '发布时间';


--
-- Name: COLUMN zhihu_comment.sub_comment_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_comment.sub_comment_count IS '子评论数';


--
-- Name: COLUMN zhihu_comment.like_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_comment.like_count IS '点赞数';


--
-- Name: COLUMN zhihu_comment.dislike_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_comment.dislike_count IS '点踩数';


--
-- Name: COLUMN zhihu_comment.content_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_comment.content_id IS '内容ID';


--
-- Name: COLUMN zhihu_comment.content_type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_comment.content_type IS '内容类型';


--
-- Name: COLUMN zhihu_comment.creator_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_comment.creator_hash IS '创作者匿名哈希';


--
-- Name: COLUMN zhihu_comment.user_nickname; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_comment.user_nickname IS '用户昵称(已脱敏)';


--
-- Name: COLUMN zhihu_comment.add_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_comment.add_ts IS '添加时间戳';


--
-- Name: COLUMN zhihu_comment.last_modify_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_comment.last_modify_ts IS '最后修改时间戳';


--
-- Name: zhihu_comment_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.zhihu_comment_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: zhihu_comment_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.zhihu_comment_id_seq OWNED BY public.zhihu_comment.id;


--
-- Name: zhihu_content; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.zhihu_content (
    id integer NOT NULL,
    content_id character varying(64),
    content_type text,
    content_text text,
    content_url text,
    question_id character varying(255),
    title text,
    "desc" text,
    created_time character varying(32),
    updated_time text,
    voteup_count integer,
    comment_count integer,
    source_keyword text,
    creator_hash character varying(64),
    user_nickname text,
    add_ts bigint,
    last_modify_ts bigint
);


--
-- Name: COLUMN zhihu_content.id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content.id IS '主键ID';


--
-- Name: COLUMN zhihu_content.content_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content.content_id IS '内容ID';


--
-- Name: COLUMN zhihu_content.content_type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content.content_type IS '内容类型';


--
-- Name: COLUMN zhihu_content.content_text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content.content_text IS '内容文本';


--
-- Name: COLUMN zhihu_content.content_url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content.content_url IS '内容URL';


--
-- Name: COLUMN zhihu_content.question_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content.question_id IS '问题ID';


--
-- Name: COLUMN zhihu_content.title; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content.title IS '标题';


--
-- Name: COLUMN zhihu_content."desc"; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content."desc" IS '描述';


--
-- Name: COLUMN zhihu_content.created_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content.created_time IS '创建时间';


--
-- Name: COLUMN zhihu_content.updated_time; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content.updated_time IS '更新时间';


--
-- Name: COLUMN zhihu_content.voteup_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content.voteup_count IS '赞同数';


--
-- Name: COLUMN zhihu_content.comment_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content.comment_count IS '评论数';


--
-- Name: COLUMN zhihu_content.source_keyword; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content.source_keyword IS '来源关键词';


--
-- Name: COLUMN zhihu_content.creator_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content.creator_hash IS '创作者匿名哈希';


--
-- Name: COLUMN zhihu_content.user_nickname; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content.user_nickname IS '用户昵称(已脱敏)';


--
-- Name: COLUMN zhihu_content.add_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content.add_ts IS '添加时间戳';


--
-- Name: COLUMN zhihu_content.last_modify_ts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.zhihu_content.last_modify_ts IS '最后修改时间戳';


--
-- Name: zhihu_content_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.zhihu_content_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: zhihu_content_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.zhihu_content_id_seq OWNED BY public.zhihu_content.id;


--
-- Name: bilibili_up_dynamic id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bilibili_up_dynamic ALTER COLUMN id SET DEFAULT nextval('public.bilibili_up_dynamic_id_seq'::regclass);


--
-- Name: bilibili_video id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bilibili_video ALTER COLUMN id SET DEFAULT nextval('public.bilibili_video_id_seq'::regclass);


--
-- Name: bilibili_video_comment id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bilibili_video_comment ALTER COLUMN id SET DEFAULT nextval('public.bilibili_video_comment_id_seq'::regclass);


--
-- Name: douyin_aweme id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.douyin_aweme ALTER COLUMN id SET DEFAULT nextval('public.douyin_aweme_id_seq'::regclass);


--
-- Name: douyin_aweme_comment id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.douyin_aweme_comment ALTER COLUMN id SET DEFAULT nextval('public.douyin_aweme_comment_id_seq'::regclass);


--
-- Name: kuaishou_video id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.kuaishou_video ALTER COLUMN id SET DEFAULT nextval('public.kuaishou_video_id_seq'::regclass);


--
-- Name: kuaishou_video_comment id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.kuaishou_video_comment ALTER COLUMN id SET DEFAULT nextval('public.kuaishou_video_comment_id_seq'::regclass);


--
-- Name: tieba_comment id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tieba_comment ALTER COLUMN id SET DEFAULT nextval('public.tieba_comment_id_seq'::regclass);


--
-- Name: tieba_note id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tieba_note ALTER COLUMN id SET DEFAULT nextval('public.tieba_note_id_seq'::regclass);


--
-- Name: weibo_note id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.weibo_note ALTER COLUMN id SET DEFAULT nextval('public.weibo_note_id_seq'::regclass);


--
-- Name: weibo_note_comment id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.weibo_note_comment ALTER COLUMN id SET DEFAULT nextval('public.weibo_note_comment_id_seq'::regclass);


--
-- Name: xhs_note id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.xhs_note ALTER COLUMN id SET DEFAULT nextval('public.xhs_note_id_seq'::regclass);


--
-- Name: xhs_note_comment id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.xhs_note_comment ALTER COLUMN id SET DEFAULT nextval('public.xhs_note_comment_id_seq'::regclass);


--
-- Name: zhihu_comment id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.zhihu_comment ALTER COLUMN id SET DEFAULT nextval('public.zhihu_comment_id_seq'::regclass);


--
-- Name: zhihu_content id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.zhihu_content ALTER COLUMN id SET DEFAULT nextval('public.zhihu_content_id_seq'::regclass);


--
-- Data for Name: bilibili_up_dynamic; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.bilibili_up_dynamic (id, dynamic_id, creator_hash, user_name, text, type, pub_ts, total_comments, total_forwards, total_liked, add_ts, last_modify_ts) FROM stdin;
\.


--
-- Data for Name: bilibili_video; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.bilibili_video (id, video_id, video_url, creator_hash, nickname, liked_count, add_ts, last_modify_ts, video_type, title, "desc", create_time, disliked_count, video_play_count, video_favorite_count, video_share_count, video_coin_count, video_danmaku, video_comment, video_cover_url, source_keyword) FROM stdin;
1	113000000000001	https://www.bilibili.com/video/av113000000000001	66af92bf73fffb19	U***己	800	1796147479075	1796147479075	video	航拍廊坊广阳区新貌	-	1767406500	0	20000	90	15	120	40	33	http://i0.hdslb.com/bfs/archive/cover1.jpg	广阳
\.


--
-- Data for Name: bilibili_video_comment; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.bilibili_video_comment (id, creator_hash, nickname, add_ts, last_modify_ts, comment_id, video_id, content, create_time, sub_comment_count, parent_comment_id, like_count) FROM stdin;
1	f7de759d21a3db33	B***庚	1796147479087	1796147479087	250000000001	113000000000001	我家就在这附近	1767407700	1	0	9
2	906c008c322d2e14	B***辛	1796147479093	1796147479093	250000000002	113000000000001	邻居你好	1767408000	0	250000000001	2
\.


--
-- Data for Name: douyin_aweme; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.douyin_aweme (id, creator_hash, nickname, add_ts, last_modify_ts, aweme_id, aweme_type, title, "desc", create_time, liked_count, comment_count, share_count, collected_count, aweme_url, cover_url, video_download_url, music_download_url, note_download_url, source_keyword) FROM stdin;
1	97c489b6c1231ecd	抖***丁	1796147479051	1796147479047	7320000000000000001	0	广阳区人民公园的冰灯亮了 #廊坊	广阳区人民公园的冰灯亮了 #廊坊	1767406500	5000	60	30	100	https://www.douyin.com/video/7320000000000000001	https://p3.douyinpic.com/cover1.jpeg	https://v3.douyinvod.com/play1.mp4	https://sf3.douyinvod.com/m.mp3		广阳
\.


--
-- Data for Name: douyin_aweme_comment; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.douyin_aweme_comment (id, creator_hash, nickname, add_ts, last_modify_ts, comment_id, aweme_id, content, create_time, sub_comment_count, parent_comment_id, like_count, pictures) FROM stdin;
\.


--
-- Data for Name: kuaishou_video; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.kuaishou_video (id, creator_hash, nickname, add_ts, last_modify_ts, video_id, video_type, title, "desc", create_time, liked_count, viewd_count, video_url, video_cover_url, video_play_url, source_keyword) FROM stdin;
1	5faa9490127edec5	快***壬	1796147479098	1796147479095	3x0000000000001	1	广阳区早市的豆腐脑，一碗五块	广阳区早市的豆腐脑，一碗五块	1767406500000	321	9000	https://www.kuaishou.com/short-video/3x0000000000001	https://p1.a.yximgs.com/cover1.jpg	https://v2.kwaicdn.com/play1.mp4	广阳
\.


--
-- Data for Name: kuaishou_video_comment; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.kuaishou_video_comment (id, creator_hash, nickname, add_ts, last_modify_ts, comment_id, video_id, content, create_time, sub_comment_count) FROM stdin;
1	bb975a1f62311693	快***癸	1796147479106	1796147479102	900000001	3x0000000000001	在哪个早市？	1767406600000	0
\.


--
-- Data for Name: tieba_comment; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.tieba_comment (id, comment_id, parent_comment_id, content, creator_hash, user_nickname, tieba_id, tieba_name, tieba_link, publish_time, sub_comment_count, note_id, note_url, add_ts, last_modify_ts) FROM stdin;
1	9100000101		新华路北头有一家		贴吧用户丑	1001	廊坊吧	https://tieba.baidu.com/f?kw=廊坊	2026-01-03 11:02	0	9100000001	https://tieba.baidu.com/p/9100000001	\N	1796147479118
\.


--
-- Data for Name: tieba_note; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.tieba_note (id, note_id, title, "desc", note_url, publish_time, creator_hash, user_nickname, tieba_id, tieba_name, tieba_link, total_replay_num, total_replay_page, add_ts, last_modify_ts, source_keyword) FROM stdin;
1	9100000001	广阳区哪里有修自行车的	银河北路那家搬走了，求推荐	https://tieba.baidu.com/p/9100000001	2026-01-03 10:15		贴吧用户子		廊坊吧	https://tieba.baidu.com/f?kw=廊坊	2	1	\N	1796147479109	广阳
\.


--
-- Data for Name: weibo_note; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.weibo_note (id, creator_hash, nickname, add_ts, last_modify_ts, note_id, content, create_time, create_date_time, liked_count, comments_count, shared_count, note_url, source_keyword) FROM stdin;
1	80a7cd0ffb78b364	廊***民	1796147479033	1796147479033	5240000000000001	广阳区新华路与爱民道路口积水严重，@廊坊发布 请尽快处理	1767406500	2026-01-03 10:15:00+08:00	20	5	3	https://m.weibo.cn/detail/5240000000000001	广阳
\.


--
-- Data for Name: weibo_note_comment; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.weibo_note_comment (id, creator_hash, nickname, add_ts, last_modify_ts, comment_id, note_id, content, create_time, create_date_time, comment_like_count, sub_comment_count, parent_comment_id) FROM stdin;
1	86a3533af20f3c10	网***丙	1796147479041	1796147479041	5240000000000101	5240000000000001	同样遇到了，车都过不去	1767407400	2026-01-03 10:30:00+08:00	2	1	
2	80a7cd0ffb78b364	廊***民	1796147479046	1796147479046	5240000000000102	5240000000000001	回复@网友丙:已经打了12345	1767408000	2026-01-03 10:40:00+08:00	0	0	5240000000000101
\.


--
-- Data for Name: xhs_note; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.xhs_note (id, creator_hash, nickname, add_ts, last_modify_ts, note_id, type, title, "desc", video_url, "time", last_update_time, liked_count, collected_count, comment_count, share_count, image_list, tag_list, note_url, source_keyword, xsec_token) FROM stdin;
1	27b6df6109437836	小***甲	1796147479014	1796147479014	65a1b2c3000000001e00a1b1	normal	广阳区万达广场新开的书店	周末去了万达广场新开的书店，环境很好[赞R] #廊坊[话题]# #周末去哪儿[话题]#		1767406500000	1767406500000	1.2万	350	48	12	"https://sns-webpic-qc.xhscdn.com/202601031015/a1.jpg,https://sns-webpic-qc.xhscdn.com/202601031015/a2.jpg"	"\\u5eca\\u574a,\\u5468\\u672b\\u53bb\\u54ea\\u513f"	https://www.xiaohongshu.com/explore/65a1b2c3000000001e00a1b1?xsec_token=ABxsec000001&xsec_source=pc_search	广阳	ABxsec000001
\.


--
-- Data for Name: xhs_note_comment; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.xhs_note_comment (id, creator_hash, nickname, add_ts, last_modify_ts, comment_id, create_time, note_id, content, sub_comment_count, pictures, parent_comment_id, like_count) FROM stdin;
1	e824556886d770d1	路***乙	1796147479023	1796147479023	6600000000000000000000c1	1767407100000	65a1b2c3000000001e00a1b1	请问停车方便吗	1	""		3
2	27b6df6109437836	小***甲	1796147479028	1796147479028	6600000000000000000000c2	1767407400000	65a1b2c3000000001e00a1b1	地下停车场周末免费两小时	0	"https://sns-webpic-qc.xhscdn.com/202601031030/c2.jpg"	6600000000000000000000c1	1
\.


--
-- Data for Name: zhihu_comment; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.zhihu_comment (id, comment_id, parent_comment_id, content, publish_time, sub_comment_count, like_count, dislike_count, content_id, content_type, creator_hash, user_nickname, add_ts, last_modify_ts) FROM stdin;
\.


--
-- Data for Name: zhihu_content; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.zhihu_content (id, content_id, content_type, content_text, content_url, question_id, title, "desc", created_time, updated_time, voteup_count, comment_count, source_keyword, creator_hash, user_nickname, add_ts, last_modify_ts) FROM stdin;
\.


--
-- Name: bilibili_up_dynamic_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.bilibili_up_dynamic_id_seq', 1, false);


--
-- Name: bilibili_video_comment_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.bilibili_video_comment_id_seq', 2, true);


--
-- Name: bilibili_video_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.bilibili_video_id_seq', 1, true);


--
-- Name: douyin_aweme_comment_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.douyin_aweme_comment_id_seq', 1, false);


--
-- Name: douyin_aweme_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.douyin_aweme_id_seq', 1, true);


--
-- Name: kuaishou_video_comment_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.kuaishou_video_comment_id_seq', 1, true);


--
-- Name: kuaishou_video_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.kuaishou_video_id_seq', 1, true);


--
-- Name: tieba_comment_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.tieba_comment_id_seq', 1, true);


--
-- Name: tieba_note_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.tieba_note_id_seq', 1, true);


--
-- Name: weibo_note_comment_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.weibo_note_comment_id_seq', 2, true);


--
-- Name: weibo_note_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.weibo_note_id_seq', 1, true);


--
-- Name: xhs_note_comment_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.xhs_note_comment_id_seq', 2, true);


--
-- Name: xhs_note_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.xhs_note_id_seq', 1, true);


--
-- Name: zhihu_comment_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.zhihu_comment_id_seq', 1, false);


--
-- Name: zhihu_content_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.zhihu_content_id_seq', 1, false);


--
-- Name: bilibili_up_dynamic bilibili_up_dynamic_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bilibili_up_dynamic
    ADD CONSTRAINT bilibili_up_dynamic_pkey PRIMARY KEY (id);


--
-- Name: bilibili_video_comment bilibili_video_comment_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bilibili_video_comment
    ADD CONSTRAINT bilibili_video_comment_pkey PRIMARY KEY (id);


--
-- Name: bilibili_video bilibili_video_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bilibili_video
    ADD CONSTRAINT bilibili_video_pkey PRIMARY KEY (id);


--
-- Name: douyin_aweme_comment douyin_aweme_comment_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.douyin_aweme_comment
    ADD CONSTRAINT douyin_aweme_comment_pkey PRIMARY KEY (id);


--
-- Name: douyin_aweme douyin_aweme_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.douyin_aweme
    ADD CONSTRAINT douyin_aweme_pkey PRIMARY KEY (id);


--
-- Name: kuaishou_video_comment kuaishou_video_comment_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.kuaishou_video_comment
    ADD CONSTRAINT kuaishou_video_comment_pkey PRIMARY KEY (id);


--
-- Name: kuaishou_video kuaishou_video_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.kuaishou_video
    ADD CONSTRAINT kuaishou_video_pkey PRIMARY KEY (id);


--
-- Name: tieba_comment tieba_comment_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tieba_comment
    ADD CONSTRAINT tieba_comment_pkey PRIMARY KEY (id);


--
-- Name: tieba_note tieba_note_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tieba_note
    ADD CONSTRAINT tieba_note_pkey PRIMARY KEY (id);


--
-- Name: weibo_note_comment weibo_note_comment_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.weibo_note_comment
    ADD CONSTRAINT weibo_note_comment_pkey PRIMARY KEY (id);


--
-- Name: weibo_note weibo_note_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.weibo_note
    ADD CONSTRAINT weibo_note_pkey PRIMARY KEY (id);


--
-- Name: xhs_note_comment xhs_note_comment_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.xhs_note_comment
    ADD CONSTRAINT xhs_note_comment_pkey PRIMARY KEY (id);


--
-- Name: xhs_note xhs_note_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.xhs_note
    ADD CONSTRAINT xhs_note_pkey PRIMARY KEY (id);


--
-- Name: zhihu_comment zhihu_comment_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.zhihu_comment
    ADD CONSTRAINT zhihu_comment_pkey PRIMARY KEY (id);


--
-- Name: zhihu_content zhihu_content_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.zhihu_content
    ADD CONSTRAINT zhihu_content_pkey PRIMARY KEY (id);


--
-- Name: ix_bilibili_up_dynamic_creator_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_bilibili_up_dynamic_creator_hash ON public.bilibili_up_dynamic USING btree (creator_hash);


--
-- Name: ix_bilibili_up_dynamic_dynamic_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_bilibili_up_dynamic_dynamic_id ON public.bilibili_up_dynamic USING btree (dynamic_id);


--
-- Name: ix_bilibili_video_comment_comment_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_bilibili_video_comment_comment_id ON public.bilibili_video_comment USING btree (comment_id);


--
-- Name: ix_bilibili_video_comment_creator_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_bilibili_video_comment_creator_hash ON public.bilibili_video_comment USING btree (creator_hash);


--
-- Name: ix_bilibili_video_comment_video_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_bilibili_video_comment_video_id ON public.bilibili_video_comment USING btree (video_id);


--
-- Name: ix_bilibili_video_create_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_bilibili_video_create_time ON public.bilibili_video USING btree (create_time);


--
-- Name: ix_bilibili_video_creator_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_bilibili_video_creator_hash ON public.bilibili_video USING btree (creator_hash);


--
-- Name: ix_bilibili_video_video_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX ix_bilibili_video_video_id ON public.bilibili_video USING btree (video_id);


--
-- Name: ix_douyin_aweme_aweme_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_douyin_aweme_aweme_id ON public.douyin_aweme USING btree (aweme_id);


--
-- Name: ix_douyin_aweme_comment_aweme_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_douyin_aweme_comment_aweme_id ON public.douyin_aweme_comment USING btree (aweme_id);


--
-- Name: ix_douyin_aweme_comment_comment_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_douyin_aweme_comment_comment_id ON public.douyin_aweme_comment USING btree (comment_id);


--
-- Name: ix_douyin_aweme_comment_creator_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_douyin_aweme_comment_creator_hash ON public.douyin_aweme_comment USING btree (creator_hash);


--
-- Name: ix_douyin_aweme_create_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_douyin_aweme_create_time ON public.douyin_aweme USING btree (create_time);


--
-- Name: ix_douyin_aweme_creator_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_douyin_aweme_creator_hash ON public.douyin_aweme USING btree (creator_hash);


--
-- Name: ix_kuaishou_video_comment_comment_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_kuaishou_video_comment_comment_id ON public.kuaishou_video_comment USING btree (comment_id);


--
-- Name: ix_kuaishou_video_comment_creator_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_kuaishou_video_comment_creator_hash ON public.kuaishou_video_comment USING btree (creator_hash);


--
-- Name: ix_kuaishou_video_comment_video_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_kuaishou_video_comment_video_id ON public.kuaishou_video_comment USING btree (video_id);


--
-- Name: ix_kuaishou_video_create_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_kuaishou_video_create_time ON public.kuaishou_video USING btree (create_time);


--
-- Name: ix_kuaishou_video_creator_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_kuaishou_video_creator_hash ON public.kuaishou_video USING btree (creator_hash);


--
-- Name: ix_kuaishou_video_video_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_kuaishou_video_video_id ON public.kuaishou_video USING btree (video_id);


--
-- Name: ix_tieba_comment_comment_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tieba_comment_comment_id ON public.tieba_comment USING btree (comment_id);


--
-- Name: ix_tieba_comment_creator_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tieba_comment_creator_hash ON public.tieba_comment USING btree (creator_hash);


--
-- Name: ix_tieba_comment_note_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tieba_comment_note_id ON public.tieba_comment USING btree (note_id);


--
-- Name: ix_tieba_comment_publish_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tieba_comment_publish_time ON public.tieba_comment USING btree (publish_time);


--
-- Name: ix_tieba_note_creator_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tieba_note_creator_hash ON public.tieba_note USING btree (creator_hash);


--
-- Name: ix_tieba_note_note_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tieba_note_note_id ON public.tieba_note USING btree (note_id);


--
-- Name: ix_tieba_note_publish_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tieba_note_publish_time ON public.tieba_note USING btree (publish_time);


--
-- Name: ix_weibo_note_comment_comment_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_weibo_note_comment_comment_id ON public.weibo_note_comment USING btree (comment_id);


--
-- Name: ix_weibo_note_comment_create_date_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_weibo_note_comment_create_date_time ON public.weibo_note_comment USING btree (create_date_time);


--
-- Name: ix_weibo_note_comment_creator_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_weibo_note_comment_creator_hash ON public.weibo_note_comment USING btree (creator_hash);


--
-- Name: ix_weibo_note_comment_note_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_weibo_note_comment_note_id ON public.weibo_note_comment USING btree (note_id);


--
-- Name: ix_weibo_note_create_date_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_weibo_note_create_date_time ON public.weibo_note USING btree (create_date_time);


--
-- Name: ix_weibo_note_create_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_weibo_note_create_time ON public.weibo_note USING btree (create_time);


--
-- Name: ix_weibo_note_creator_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_weibo_note_creator_hash ON public.weibo_note USING btree (creator_hash);


--
-- Name: ix_weibo_note_note_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_weibo_note_note_id ON public.weibo_note USING btree (note_id);


--
-- Name: ix_xhs_note_comment_comment_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_xhs_note_comment_comment_id ON public.xhs_note_comment USING btree (comment_id);


--
-- Name: ix_xhs_note_comment_create_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_xhs_note_comment_create_time ON public.xhs_note_comment USING btree (create_time);


--
-- Name: ix_xhs_note_comment_creator_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_xhs_note_comment_creator_hash ON public.xhs_note_comment USING btree (creator_hash);


--
-- Name: ix_xhs_note_creator_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_xhs_note_creator_hash ON public.xhs_note USING btree (creator_hash);


--
-- Name: ix_xhs_note_note_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_xhs_note_note_id ON public.xhs_note USING btree (note_id);


--
-- Name: ix_xhs_note_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_xhs_note_time ON public.xhs_note USING btree ("time");


--
-- Name: ix_zhihu_comment_comment_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_zhihu_comment_comment_id ON public.zhihu_comment USING btree (comment_id);


--
-- Name: ix_zhihu_comment_content_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_zhihu_comment_content_id ON public.zhihu_comment USING btree (content_id);


--
-- Name: ix_zhihu_comment_creator_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_zhihu_comment_creator_hash ON public.zhihu_comment USING btree (creator_hash);


--
-- Name: ix_zhihu_comment_publish_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_zhihu_comment_publish_time ON public.zhihu_comment USING btree (publish_time);


--
-- Name: ix_zhihu_content_content_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_zhihu_content_content_id ON public.zhihu_content USING btree (content_id);


--
-- Name: ix_zhihu_content_created_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_zhihu_content_created_time ON public.zhihu_content USING btree (created_time);


--
-- Name: ix_zhihu_content_creator_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_zhihu_content_creator_hash ON public.zhihu_content USING btree (creator_hash);


--
-- PostgreSQL database dump complete
--

\unrestrict bmWT2VugGGEMzPQoE6Q0KxFSgbhdc4M1vXdzI60IhKU3dOYweGA8fBnwBN9NByu

