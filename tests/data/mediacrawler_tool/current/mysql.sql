/*M!999999\- enable the sandbox mode */ 
-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)
--
-- Host: 127.0.0.1    Database: media_crawler
-- ------------------------------------------------------
-- Server version	10.11.19-MariaDB-0+deb12u1

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;

--
-- Table structure for table `bilibili_up_dynamic`
--

DROP TABLE IF EXISTS `bilibili_up_dynamic`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `bilibili_up_dynamic` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键ID',
  `dynamic_id` varchar(128) DEFAULT NULL COMMENT '动态ID',
  `creator_hash` varchar(64) DEFAULT NULL COMMENT '创作者匿名哈希',
  `user_name` text DEFAULT NULL COMMENT '用户名称(已脱敏)',
  `text` text DEFAULT NULL COMMENT '动态内容',
  `type` text DEFAULT NULL COMMENT '动态类型',
  `pub_ts` bigint(20) DEFAULT NULL COMMENT '发布时间戳',
  `total_comments` int(11) DEFAULT NULL COMMENT '总评论数',
  `total_forwards` int(11) DEFAULT NULL COMMENT '总转发数',
  `total_liked` int(11) DEFAULT NULL COMMENT '总点赞数',
  `add_ts` bigint(20) DEFAULT NULL COMMENT '添加时间戳',
  `last_modify_ts` bigint(20) DEFAULT NULL COMMENT '最后修改时间戳',
  PRIMARY KEY (`id`),
  KEY `ix_bilibili_up_dynamic_creator_hash` (`creator_hash`),
  KEY `ix_bilibili_up_dynamic_dynamic_id` (`dynamic_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `bilibili_up_dynamic`
--

LOCK TABLES `bilibili_up_dynamic` WRITE;
/*!40000 ALTER TABLE `bilibili_up_dynamic` DISABLE KEYS */;
/*!40000 ALTER TABLE `bilibili_up_dynamic` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `bilibili_video`
--

DROP TABLE IF EXISTS `bilibili_video`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `bilibili_video` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键ID',
  `video_id` varchar(64) NOT NULL COMMENT '视频ID',
  `video_url` text NOT NULL COMMENT '视频URL',
  `creator_hash` varchar(64) DEFAULT NULL COMMENT '创作者匿名哈希',
  `nickname` text DEFAULT NULL COMMENT '用户昵称(已脱敏)',
  `liked_count` int(11) DEFAULT NULL COMMENT '点赞数',
  `add_ts` bigint(20) DEFAULT NULL COMMENT '添加时间戳',
  `last_modify_ts` bigint(20) DEFAULT NULL COMMENT '最后修改时间戳',
  `video_type` text DEFAULT NULL COMMENT '视频类型',
  `title` text DEFAULT NULL COMMENT '视频标题',
  `desc` text DEFAULT NULL COMMENT '视频描述',
  `create_time` bigint(20) DEFAULT NULL COMMENT '创建时间戳',
  `disliked_count` text DEFAULT NULL COMMENT '点踩数',
  `video_play_count` text DEFAULT NULL COMMENT '播放数',
  `video_favorite_count` text DEFAULT NULL COMMENT '收藏数',
  `video_share_count` text DEFAULT NULL COMMENT '分享数',
  `video_coin_count` text DEFAULT NULL COMMENT '硬币数',
  `video_danmaku` text DEFAULT NULL COMMENT '弹幕数',
  `video_comment` text DEFAULT NULL COMMENT '评论数',
  `video_cover_url` text DEFAULT NULL COMMENT '视频封面URL',
  `source_keyword` text DEFAULT NULL COMMENT '来源关键词',
  PRIMARY KEY (`id`),
  UNIQUE KEY `ix_bilibili_video_video_id` (`video_id`),
  KEY `ix_bilibili_video_create_time` (`create_time`),
  KEY `ix_bilibili_video_creator_hash` (`creator_hash`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `bilibili_video`
--

LOCK TABLES `bilibili_video` WRITE;
/*!40000 ALTER TABLE `bilibili_video` DISABLE KEYS */;
INSERT INTO `bilibili_video` VALUES
(1,'113000000000001','https://www.bilibili.com/video/av113000000000001','66af92bf73fffb19','U***己',800,1796149822977,1796149822977,'video','航拍廊坊广阳区新貌','-',1767406500,'0','20000','90','15','120','40','33','http://i0.hdslb.com/bfs/archive/cover1.jpg','广阳');
/*!40000 ALTER TABLE `bilibili_video` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `bilibili_video_comment`
--

DROP TABLE IF EXISTS `bilibili_video_comment`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `bilibili_video_comment` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键ID',
  `creator_hash` varchar(64) DEFAULT NULL COMMENT '创作者匿名哈希',
  `nickname` text DEFAULT NULL COMMENT '用户昵称(已脱敏)',
  `add_ts` bigint(20) DEFAULT NULL COMMENT '添加时间戳',
  `last_modify_ts` bigint(20) DEFAULT NULL COMMENT '最后修改时间戳',
  `comment_id` varchar(128) DEFAULT NULL COMMENT '评论ID',
  `video_id` varchar(64) DEFAULT NULL COMMENT '视频ID',
  `content` text DEFAULT NULL COMMENT '评论内容',
  `create_time` bigint(20) DEFAULT NULL COMMENT '创建时间戳',
  `sub_comment_count` text DEFAULT NULL COMMENT '子评论数',
  `parent_comment_id` varchar(255) DEFAULT NULL COMMENT '父评论ID',
  `like_count` text DEFAULT NULL COMMENT '点赞数',
  PRIMARY KEY (`id`),
  KEY `ix_bilibili_video_comment_comment_id` (`comment_id`),
  KEY `ix_bilibili_video_comment_creator_hash` (`creator_hash`),
  KEY `ix_bilibili_video_comment_video_id` (`video_id`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `bilibili_video_comment`
--

LOCK TABLES `bilibili_video_comment` WRITE;
/*!40000 ALTER TABLE `bilibili_video_comment` DISABLE KEYS */;
INSERT INTO `bilibili_video_comment` VALUES
(1,'f7de759d21a3db33','B***庚',1796149822980,1796149822980,'250000000001','113000000000001','我家就在这附近',1767407700,'1','0','9'),
(2,'906c008c322d2e14','B***辛',1796149822982,1796149822982,'250000000002','113000000000001','邻居你好',1767408000,'0','250000000001','2');
/*!40000 ALTER TABLE `bilibili_video_comment` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `douyin_aweme`
--

DROP TABLE IF EXISTS `douyin_aweme`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `douyin_aweme` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键ID',
  `creator_hash` varchar(64) DEFAULT NULL COMMENT '创作者匿名哈希',
  `nickname` text DEFAULT NULL COMMENT '用户昵称(已脱敏)',
  `add_ts` bigint(20) DEFAULT NULL COMMENT '添加时间戳',
  `last_modify_ts` bigint(20) DEFAULT NULL COMMENT '最后修改时间戳',
  `aweme_id` varchar(255) DEFAULT NULL COMMENT '作品ID',
  `aweme_type` text DEFAULT NULL COMMENT '作品类型',
  `title` text DEFAULT NULL COMMENT '作品标题',
  `desc` text DEFAULT NULL COMMENT '作品描述',
  `create_time` bigint(20) DEFAULT NULL COMMENT '创建时间戳',
  `liked_count` text DEFAULT NULL COMMENT '点赞数',
  `comment_count` text DEFAULT NULL COMMENT '评论数',
  `share_count` text DEFAULT NULL COMMENT '分享数',
  `collected_count` text DEFAULT NULL COMMENT '收藏数',
  `aweme_url` text DEFAULT NULL COMMENT '作品URL',
  `cover_url` text DEFAULT NULL COMMENT '封面URL',
  `video_download_url` text DEFAULT NULL COMMENT '视频下载URL',
  `music_download_url` text DEFAULT NULL COMMENT '音乐下载URL',
  `note_download_url` text DEFAULT NULL COMMENT '笔记下载URL',
  `source_keyword` text DEFAULT NULL COMMENT '来源关键词',
  PRIMARY KEY (`id`),
  KEY `ix_douyin_aweme_aweme_id` (`aweme_id`),
  KEY `ix_douyin_aweme_create_time` (`create_time`),
  KEY `ix_douyin_aweme_creator_hash` (`creator_hash`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `douyin_aweme`
--

LOCK TABLES `douyin_aweme` WRITE;
/*!40000 ALTER TABLE `douyin_aweme` DISABLE KEYS */;
INSERT INTO `douyin_aweme` VALUES
(1,'97c489b6c1231ecd','抖***丁',1796149822966,1796149822963,'7320000000000000001','0','广阳区人民公园的冰灯亮了 #廊坊','广阳区人民公园的冰灯亮了 #廊坊',1767406500,'5000','60','30','100','https://www.douyin.com/video/7320000000000000001','https://p3.douyinpic.com/cover1.jpeg','https://v3.douyinvod.com/play1.mp4','https://sf3.douyinvod.com/m.mp3','','广阳');
/*!40000 ALTER TABLE `douyin_aweme` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `douyin_aweme_comment`
--

DROP TABLE IF EXISTS `douyin_aweme_comment`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `douyin_aweme_comment` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键ID',
  `creator_hash` varchar(64) DEFAULT NULL COMMENT '创作者匿名哈希',
  `nickname` text DEFAULT NULL COMMENT '用户昵称(已脱敏)',
  `add_ts` bigint(20) DEFAULT NULL COMMENT '添加时间戳',
  `last_modify_ts` bigint(20) DEFAULT NULL COMMENT '最后修改时间戳',
  `comment_id` varchar(255) DEFAULT NULL COMMENT '评论ID',
  `aweme_id` varchar(255) DEFAULT NULL COMMENT '作品ID',
  `content` text DEFAULT NULL COMMENT '评论内容',
  `create_time` bigint(20) DEFAULT NULL COMMENT '创建时间戳',
  `sub_comment_count` text DEFAULT NULL COMMENT '子评论数',
  `parent_comment_id` varchar(255) DEFAULT NULL COMMENT '父评论ID',
  `like_count` text DEFAULT NULL COMMENT '点赞数',
  `pictures` text DEFAULT NULL COMMENT '图片',
  PRIMARY KEY (`id`),
  KEY `ix_douyin_aweme_comment_creator_hash` (`creator_hash`),
  KEY `ix_douyin_aweme_comment_comment_id` (`comment_id`),
  KEY `ix_douyin_aweme_comment_aweme_id` (`aweme_id`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `douyin_aweme_comment`
--

LOCK TABLES `douyin_aweme_comment` WRITE;
/*!40000 ALTER TABLE `douyin_aweme_comment` DISABLE KEYS */;
INSERT INTO `douyin_aweme_comment` VALUES
(1,'3fb836229505c02d','抖***戊',1796149822972,1796149822970,'7320000000000000101','7320000000000000001','晚上几点开灯？',1767406800,'1','0','4',''),
(2,'97c489b6c1231ecd','抖***丁',1796149822975,1796149822974,'7320000000000000102','7320000000000000001','五点半就亮了',1767407100,'0','7320000000000000101','1','https://p3.douyinpic.com/c102.jpeg');
/*!40000 ALTER TABLE `douyin_aweme_comment` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `kuaishou_video`
--

DROP TABLE IF EXISTS `kuaishou_video`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `kuaishou_video` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键ID',
  `creator_hash` varchar(64) DEFAULT NULL COMMENT '创作者匿名哈希',
  `nickname` text DEFAULT NULL COMMENT '用户昵称(已脱敏)',
  `add_ts` bigint(20) DEFAULT NULL COMMENT '添加时间戳',
  `last_modify_ts` bigint(20) DEFAULT NULL COMMENT '最后修改时间戳',
  `video_id` varchar(255) DEFAULT NULL COMMENT '视频ID',
  `video_type` text DEFAULT NULL COMMENT '视频类型',
  `title` text DEFAULT NULL COMMENT '视频标题',
  `desc` text DEFAULT NULL COMMENT '视频描述',
  `create_time` bigint(20) DEFAULT NULL COMMENT '创建时间戳',
  `liked_count` text DEFAULT NULL COMMENT '点赞数',
  `viewd_count` text DEFAULT NULL COMMENT '观看数',
  `video_url` text DEFAULT NULL COMMENT '视频URL',
  `video_cover_url` text DEFAULT NULL COMMENT '视频封面URL',
  `video_play_url` text DEFAULT NULL COMMENT '视频播放URL',
  `source_keyword` text DEFAULT NULL COMMENT '来源关键词',
  PRIMARY KEY (`id`),
  KEY `ix_kuaishou_video_video_id` (`video_id`),
  KEY `ix_kuaishou_video_create_time` (`create_time`),
  KEY `ix_kuaishou_video_creator_hash` (`creator_hash`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `kuaishou_video`
--

LOCK TABLES `kuaishou_video` WRITE;
/*!40000 ALTER TABLE `kuaishou_video` DISABLE KEYS */;
INSERT INTO `kuaishou_video` VALUES
(1,'5faa9490127edec5','快***壬',1796149822985,1796149822983,'3x0000000000001','1','广阳区早市的豆腐脑，一碗五块','广阳区早市的豆腐脑，一碗五块',1767406500000,'321','9000','https://www.kuaishou.com/short-video/3x0000000000001','https://p1.a.yximgs.com/cover1.jpg','https://v2.kwaicdn.com/play1.mp4','广阳');
/*!40000 ALTER TABLE `kuaishou_video` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `kuaishou_video_comment`
--

DROP TABLE IF EXISTS `kuaishou_video_comment`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `kuaishou_video_comment` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键ID',
  `creator_hash` varchar(64) DEFAULT NULL COMMENT '创作者匿名哈希',
  `nickname` text DEFAULT NULL COMMENT '用户昵称(已脱敏)',
  `add_ts` bigint(20) DEFAULT NULL COMMENT '添加时间戳',
  `last_modify_ts` bigint(20) DEFAULT NULL COMMENT '最后修改时间戳',
  `comment_id` varchar(255) DEFAULT NULL COMMENT '评论ID',
  `video_id` varchar(255) DEFAULT NULL COMMENT '视频ID',
  `content` text DEFAULT NULL COMMENT '评论内容',
  `create_time` bigint(20) DEFAULT NULL COMMENT '创建时间戳',
  `sub_comment_count` text DEFAULT NULL COMMENT '子评论数',
  PRIMARY KEY (`id`),
  KEY `ix_kuaishou_video_comment_creator_hash` (`creator_hash`),
  KEY `ix_kuaishou_video_comment_comment_id` (`comment_id`),
  KEY `ix_kuaishou_video_comment_video_id` (`video_id`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `kuaishou_video_comment`
--

LOCK TABLES `kuaishou_video_comment` WRITE;
/*!40000 ALTER TABLE `kuaishou_video_comment` DISABLE KEYS */;
INSERT INTO `kuaishou_video_comment` VALUES
(1,'bb975a1f62311693','快***癸',1796149822988,1796149822986,'900000001','3x0000000000001','在哪个早市？',1767406600000,'0');
/*!40000 ALTER TABLE `kuaishou_video_comment` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `tieba_comment`
--

DROP TABLE IF EXISTS `tieba_comment`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `tieba_comment` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键ID',
  `comment_id` varchar(255) DEFAULT NULL COMMENT '评论ID',
  `parent_comment_id` varchar(255) DEFAULT NULL COMMENT '父评论ID',
  `content` text DEFAULT NULL COMMENT '评论内容',
  `creator_hash` varchar(64) DEFAULT NULL COMMENT '创作者匿名哈希',
  `user_nickname` text DEFAULT NULL COMMENT '用户昵称(已脱敏)',
  `tieba_id` varchar(255) DEFAULT NULL COMMENT '贴吧ID',
  `tieba_name` text DEFAULT NULL COMMENT '贴吧名称',
  `tieba_link` text DEFAULT NULL COMMENT '贴吧链接',
  `publish_time` varchar(255) DEFAULT NULL COMMENT '发布时间',
  `sub_comment_count` int(11) DEFAULT NULL COMMENT '子评论数',
  `note_id` varchar(255) DEFAULT NULL COMMENT '笔记ID',
  `note_url` text DEFAULT NULL COMMENT '笔记URL',
  `add_ts` bigint(20) DEFAULT NULL COMMENT '添加时间戳',
  `last_modify_ts` bigint(20) DEFAULT NULL COMMENT '最后修改时间戳',
  PRIMARY KEY (`id`),
  KEY `ix_tieba_comment_comment_id` (`comment_id`),
  KEY `ix_tieba_comment_note_id` (`note_id`),
  KEY `ix_tieba_comment_publish_time` (`publish_time`),
  KEY `ix_tieba_comment_creator_hash` (`creator_hash`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `tieba_comment`
--

LOCK TABLES `tieba_comment` WRITE;
/*!40000 ALTER TABLE `tieba_comment` DISABLE KEYS */;
INSERT INTO `tieba_comment` VALUES
(1,'9100000101','','新华路北头有一家','','贴吧用户丑','1001','廊坊吧','https://tieba.baidu.com/f?kw=廊坊','2026-01-03 11:02',0,'9100000001','https://tieba.baidu.com/p/9100000001',NULL,1796149822991);
/*!40000 ALTER TABLE `tieba_comment` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `tieba_note`
--

DROP TABLE IF EXISTS `tieba_note`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `tieba_note` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键ID',
  `note_id` varchar(644) DEFAULT NULL COMMENT '笔记ID',
  `title` text DEFAULT NULL COMMENT '笔记标题',
  `desc` text DEFAULT NULL COMMENT '笔记描述',
  `note_url` text DEFAULT NULL COMMENT '笔记URL',
  `publish_time` varchar(255) DEFAULT NULL COMMENT '发布时间',
  `creator_hash` varchar(64) DEFAULT NULL COMMENT '创作者匿名哈希',
  `user_nickname` text DEFAULT NULL COMMENT '用户昵称(已脱敏)',
  `tieba_id` varchar(255) DEFAULT NULL COMMENT '贴吧ID',
  `tieba_name` text DEFAULT NULL COMMENT '贴吧名称',
  `tieba_link` text DEFAULT NULL COMMENT '贴吧链接',
  `total_replay_num` int(11) DEFAULT NULL COMMENT '总回复数',
  `total_replay_page` int(11) DEFAULT NULL COMMENT '总回复页数',
  `add_ts` bigint(20) DEFAULT NULL COMMENT '添加时间戳',
  `last_modify_ts` bigint(20) DEFAULT NULL COMMENT '最后修改时间戳',
  `source_keyword` text DEFAULT NULL COMMENT '来源关键词',
  PRIMARY KEY (`id`),
  KEY `ix_tieba_note_note_id` (`note_id`),
  KEY `ix_tieba_note_creator_hash` (`creator_hash`),
  KEY `ix_tieba_note_publish_time` (`publish_time`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `tieba_note`
--

LOCK TABLES `tieba_note` WRITE;
/*!40000 ALTER TABLE `tieba_note` DISABLE KEYS */;
INSERT INTO `tieba_note` VALUES
(1,'9100000001','广阳区哪里有修自行车的','银河北路那家搬走了，求推荐','https://tieba.baidu.com/p/9100000001','2026-01-03 10:15','','贴吧用户子','','廊坊吧','https://tieba.baidu.com/f?kw=廊坊',2,1,NULL,1796149822989,'广阳');
/*!40000 ALTER TABLE `tieba_note` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `weibo_note`
--

DROP TABLE IF EXISTS `weibo_note`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `weibo_note` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键ID',
  `creator_hash` varchar(64) DEFAULT NULL COMMENT '创作者匿名哈希',
  `nickname` text DEFAULT NULL COMMENT '用户昵称(已脱敏)',
  `add_ts` bigint(20) DEFAULT NULL COMMENT '添加时间戳',
  `last_modify_ts` bigint(20) DEFAULT NULL COMMENT '最后修改时间戳',
  `note_id` varchar(64) DEFAULT NULL COMMENT '笔记ID',
  `content` text DEFAULT NULL COMMENT '笔记内容',
  `create_time` bigint(20) DEFAULT NULL COMMENT '创建时间戳',
  `create_date_time` varchar(255) DEFAULT NULL COMMENT '创建日期时间',
  `liked_count` text DEFAULT NULL COMMENT '点赞数',
  `comments_count` text DEFAULT NULL COMMENT '评论数',
  `shared_count` text DEFAULT NULL COMMENT '分享数',
  `note_url` text DEFAULT NULL COMMENT '笔记URL',
  `source_keyword` text DEFAULT NULL COMMENT '来源关键词',
  PRIMARY KEY (`id`),
  KEY `ix_weibo_note_create_date_time` (`create_date_time`),
  KEY `ix_weibo_note_creator_hash` (`creator_hash`),
  KEY `ix_weibo_note_create_time` (`create_time`),
  KEY `ix_weibo_note_note_id` (`note_id`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `weibo_note`
--

LOCK TABLES `weibo_note` WRITE;
/*!40000 ALTER TABLE `weibo_note` DISABLE KEYS */;
INSERT INTO `weibo_note` VALUES
(1,'80a7cd0ffb78b364','廊***民',1796149822950,1796149822950,'5240000000000001','广阳区新华路与爱民道路口积水严重，@廊坊发布 请尽快处理',1767406500,'2026-01-03 10:15:00+08:00','20','5','3','https://m.weibo.cn/detail/5240000000000001','广阳');
/*!40000 ALTER TABLE `weibo_note` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `weibo_note_comment`
--

DROP TABLE IF EXISTS `weibo_note_comment`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `weibo_note_comment` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键ID',
  `creator_hash` varchar(64) DEFAULT NULL COMMENT '创作者匿名哈希',
  `nickname` text DEFAULT NULL COMMENT '用户昵称(已脱敏)',
  `add_ts` bigint(20) DEFAULT NULL COMMENT '添加时间戳',
  `last_modify_ts` bigint(20) DEFAULT NULL COMMENT '最后修改时间戳',
  `comment_id` varchar(64) DEFAULT NULL COMMENT '评论ID',
  `note_id` varchar(64) DEFAULT NULL COMMENT '笔记ID',
  `content` text DEFAULT NULL COMMENT '评论内容',
  `create_time` bigint(20) DEFAULT NULL COMMENT '创建时间戳',
  `create_date_time` varchar(255) DEFAULT NULL COMMENT '创建日期时间',
  `comment_like_count` text DEFAULT NULL COMMENT '评论点赞数',
  `sub_comment_count` text DEFAULT NULL COMMENT '子评论数',
  `parent_comment_id` varchar(255) DEFAULT NULL COMMENT '父评论ID',
  PRIMARY KEY (`id`),
  KEY `ix_weibo_note_comment_note_id` (`note_id`),
  KEY `ix_weibo_note_comment_creator_hash` (`creator_hash`),
  KEY `ix_weibo_note_comment_create_date_time` (`create_date_time`),
  KEY `ix_weibo_note_comment_comment_id` (`comment_id`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `weibo_note_comment`
--

LOCK TABLES `weibo_note_comment` WRITE;
/*!40000 ALTER TABLE `weibo_note_comment` DISABLE KEYS */;
INSERT INTO `weibo_note_comment` VALUES
(1,'86a3533af20f3c10','网***丙',1796149822957,1796149822957,'5240000000000101','5240000000000001','同样遇到了，车都过不去',1767407400,'2026-01-03 10:30:00+08:00','2','1',''),
(2,'80a7cd0ffb78b364','廊***民',1796149822962,1796149822962,'5240000000000102','5240000000000001','回复@网友丙:已经打了12345',1767408000,'2026-01-03 10:40:00+08:00','0','0','5240000000000101');
/*!40000 ALTER TABLE `weibo_note_comment` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `xhs_note`
--

DROP TABLE IF EXISTS `xhs_note`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `xhs_note` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键ID',
  `creator_hash` varchar(64) DEFAULT NULL COMMENT '创作者匿名哈希',
  `nickname` text DEFAULT NULL COMMENT '用户昵称(已脱敏)',
  `add_ts` bigint(20) DEFAULT NULL COMMENT '添加时间戳',
  `last_modify_ts` bigint(20) DEFAULT NULL COMMENT '最后修改时间戳',
  `note_id` varchar(255) DEFAULT NULL COMMENT '笔记ID',
  `type` text DEFAULT NULL COMMENT '笔记类型',
  `title` text DEFAULT NULL COMMENT '笔记标题',
  `desc` text DEFAULT NULL COMMENT '笔记描述',
  `video_url` text DEFAULT NULL COMMENT '视频URL',
  `time` bigint(20) DEFAULT NULL COMMENT '时间戳',
  `last_update_time` bigint(20) DEFAULT NULL COMMENT '最后更新时间戳',
  `liked_count` text DEFAULT NULL COMMENT '点赞数',
  `collected_count` text DEFAULT NULL COMMENT '收藏数',
  `comment_count` text DEFAULT NULL COMMENT '评论数',
  `share_count` text DEFAULT NULL COMMENT '分享数',
  `image_list` text DEFAULT NULL COMMENT '图片列表',
  `tag_list` text DEFAULT NULL COMMENT '标签列表',
  `note_url` text DEFAULT NULL COMMENT '笔记URL',
  `source_keyword` text DEFAULT NULL COMMENT '来源关键词',
  `xsec_token` text DEFAULT NULL COMMENT 'Xsec Token',
  PRIMARY KEY (`id`),
  KEY `ix_xhs_note_note_id` (`note_id`),
  KEY `ix_xhs_note_time` (`time`),
  KEY `ix_xhs_note_creator_hash` (`creator_hash`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `xhs_note`
--

LOCK TABLES `xhs_note` WRITE;
/*!40000 ALTER TABLE `xhs_note` DISABLE KEYS */;
INSERT INTO `xhs_note` VALUES
(1,'27b6df6109437836','小***甲',1796149822932,1796149822932,'65a1b2c3000000001e00a1b1','normal','广阳区万达广场新开的书店','周末去了万达广场新开的书店，环境很好[赞R] #廊坊[话题]# #周末去哪儿[话题]#','',1767406500000,1767406500000,'1.2万','350','48','12','\"https://sns-webpic-qc.xhscdn.com/202601031015/a1.jpg,https://sns-webpic-qc.xhscdn.com/202601031015/a2.jpg\"','\"\\u5eca\\u574a,\\u5468\\u672b\\u53bb\\u54ea\\u513f\"','https://www.xiaohongshu.com/explore/65a1b2c3000000001e00a1b1?xsec_token=ABxsec000001&xsec_source=pc_search','广阳','ABxsec000001');
/*!40000 ALTER TABLE `xhs_note` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `xhs_note_comment`
--

DROP TABLE IF EXISTS `xhs_note_comment`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `xhs_note_comment` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键ID',
  `creator_hash` varchar(64) DEFAULT NULL COMMENT '创作者匿名哈希',
  `nickname` text DEFAULT NULL COMMENT '用户昵称(已脱敏)',
  `add_ts` bigint(20) DEFAULT NULL COMMENT '添加时间戳',
  `last_modify_ts` bigint(20) DEFAULT NULL COMMENT '最后修改时间戳',
  `comment_id` varchar(255) DEFAULT NULL COMMENT '评论ID',
  `create_time` bigint(20) DEFAULT NULL COMMENT '创建时间戳',
  `note_id` varchar(255) DEFAULT NULL COMMENT '笔记ID',
  `content` text DEFAULT NULL COMMENT '评论内容',
  `sub_comment_count` int(11) DEFAULT NULL COMMENT '子评论数',
  `pictures` text DEFAULT NULL COMMENT '图片',
  `parent_comment_id` varchar(255) DEFAULT NULL COMMENT '父评论ID',
  `like_count` text DEFAULT NULL COMMENT '点赞数',
  PRIMARY KEY (`id`),
  KEY `ix_xhs_note_comment_comment_id` (`comment_id`),
  KEY `ix_xhs_note_comment_creator_hash` (`creator_hash`),
  KEY `ix_xhs_note_comment_create_time` (`create_time`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `xhs_note_comment`
--

LOCK TABLES `xhs_note_comment` WRITE;
/*!40000 ALTER TABLE `xhs_note_comment` DISABLE KEYS */;
INSERT INTO `xhs_note_comment` VALUES
(1,'e824556886d770d1','路***乙',1796149822939,1796149822939,'6600000000000000000000c1',1767407100000,'65a1b2c3000000001e00a1b1','请问停车方便吗',1,'\"\"','','3'),
(2,'27b6df6109437836','小***甲',1796149822945,1796149822945,'6600000000000000000000c2',1767407400000,'65a1b2c3000000001e00a1b1','地下停车场周末免费两小时',0,'\"https://sns-webpic-qc.xhscdn.com/202601031030/c2.jpg\"','6600000000000000000000c1','1');
/*!40000 ALTER TABLE `xhs_note_comment` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `zhihu_comment`
--

DROP TABLE IF EXISTS `zhihu_comment`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `zhihu_comment` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键ID',
  `comment_id` varchar(64) DEFAULT NULL COMMENT '评论ID',
  `parent_comment_id` varchar(64) DEFAULT NULL COMMENT '父评论ID',
  `content` text DEFAULT NULL COMMENT '评论内容',
  `publish_time` varchar(32) DEFAULT NULL COMMENT '发布时间',
  `sub_comment_count` int(11) DEFAULT NULL COMMENT '子评论数',
  `like_count` int(11) DEFAULT NULL COMMENT '点赞数',
  `dislike_count` int(11) DEFAULT NULL COMMENT '点踩数',
  `content_id` varchar(64) DEFAULT NULL COMMENT '内容ID',
  `content_type` text DEFAULT NULL COMMENT '内容类型',
  `creator_hash` varchar(64) DEFAULT NULL COMMENT '创作者匿名哈希',
  `user_nickname` text DEFAULT NULL COMMENT '用户昵称(已脱敏)',
  `add_ts` bigint(20) DEFAULT NULL COMMENT '添加时间戳',
  `last_modify_ts` bigint(20) DEFAULT NULL COMMENT '最后修改时间戳',
  PRIMARY KEY (`id`),
  KEY `ix_zhihu_comment_creator_hash` (`creator_hash`),
  KEY `ix_zhihu_comment_comment_id` (`comment_id`),
  KEY `ix_zhihu_comment_publish_time` (`publish_time`),
  KEY `ix_zhihu_comment_content_id` (`content_id`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `zhihu_comment`
--

LOCK TABLES `zhihu_comment` WRITE;
/*!40000 ALTER TABLE `zhihu_comment` DISABLE KEYS */;
INSERT INTO `zhihu_comment` VALUES
(1,'3300000101','','同感，物价也不高','1767410100',0,1,0,'3300000001','answer','','知乎用户卯',1796149823000,1796149822999);
/*!40000 ALTER TABLE `zhihu_comment` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `zhihu_content`
--

DROP TABLE IF EXISTS `zhihu_content`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `zhihu_content` (
  `id` int(11) NOT NULL AUTO_INCREMENT COMMENT '主键ID',
  `content_id` varchar(64) DEFAULT NULL COMMENT '内容ID',
  `content_type` text DEFAULT NULL COMMENT '内容类型',
  `content_text` text DEFAULT NULL COMMENT '内容文本',
  `content_url` text DEFAULT NULL COMMENT '内容URL',
  `question_id` varchar(255) DEFAULT NULL COMMENT '问题ID',
  `title` text DEFAULT NULL COMMENT '标题',
  `desc` text DEFAULT NULL COMMENT '描述',
  `created_time` varchar(32) DEFAULT NULL COMMENT '创建时间',
  `updated_time` text DEFAULT NULL COMMENT '更新时间',
  `voteup_count` int(11) DEFAULT NULL COMMENT '赞同数',
  `comment_count` int(11) DEFAULT NULL COMMENT '评论数',
  `source_keyword` text DEFAULT NULL COMMENT '来源关键词',
  `creator_hash` varchar(64) DEFAULT NULL COMMENT '创作者匿名哈希',
  `user_nickname` text DEFAULT NULL COMMENT '用户昵称(已脱敏)',
  `add_ts` bigint(20) DEFAULT NULL COMMENT '添加时间戳',
  `last_modify_ts` bigint(20) DEFAULT NULL COMMENT '最后修改时间戳',
  PRIMARY KEY (`id`),
  KEY `ix_zhihu_content_creator_hash` (`creator_hash`),
  KEY `ix_zhihu_content_created_time` (`created_time`),
  KEY `ix_zhihu_content_content_id` (`content_id`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `zhihu_content`
--

LOCK TABLES `zhihu_content` WRITE;
/*!40000 ALTER TABLE `zhihu_content` DISABLE KEYS */;
INSERT INTO `zhihu_content` VALUES
(1,'3300000001','answer','广阳区的老城区生活很方便，菜市场多。','https://www.zhihu.com/question/44/answer/3300000001','44','在廊坊广阳区生活是什么体验？','','1767406500','1767406500',12,1,'广阳','','知乎用户寅',1796149822997,1796149822995);
/*!40000 ALTER TABLE `zhihu_content` ENABLE KEYS */;
UNLOCK TABLES;
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;
/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;
/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;

-- Dump completed
