"""The bus between stages in server mode: NATS JetStream (issue 18; docs/decisions/008-bus.md).

Three work-queue streams per store key (`bus_key`, default "main"), each with one durable pull
consumer, so a message is removed only when a consumer acks it:

    yuqing.<key>.raw       collectors and imports → `yuqing worker analyse` (any number of them)
    yuqing.<key>.analysed  analyse workers        → `yuqing worker events` (one at a time: the clusterer)
    yuqing.<key>.changes   the events worker      → whoever wants to wake on new events (kept a day)

A consumer acks only after its database commit; what a killed worker held is redelivered after
`bus_ack_wait`, and every write it leads to is idempotent (the upsert by id, "still waiting for
analysis"), so a redelivery changes nothing that was committed. Message ids (Nats-Msg-Id) make a
publisher's retry after a lost acknowledgement harmless too.

nats-py is asyncio; our stages are not. A BusClient runs the client's event loop in a thread of
its own (so heartbeats go on while a batch is analysed) and gives the stages plain calls.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import orjson

log = logging.getLogger(__name__)

POISON_AFTER = 4           # deliveries without a commit before a message is quarantined, not tried again


class BusError(Exception):
    """The bus cannot be reached or refused a message (said in words)."""


class MessageTooLarge(BusError):
    """A message above the server's max_payload (the publisher may split it)."""


@dataclass(frozen=True)
class Names:
    key: str

    def subject(self, stage: str) -> str:
        return f"yuqing.{self.key}.{stage}"

    def stream(self, stage: str) -> str:
        return f"YUQING_{self.key.upper().replace('-', '_').replace('.', '_')}_{stage.upper()}"


STAGES = ("raw", "analysed", "changes")
CONSUMERS = {"raw": "analyse", "analysed": "events"}     # the durable consumer of each stage


def message_id(*parts: Any) -> str:
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_NON_STR_KEYS)).hexdigest()[:32]


def encode(payload: dict[str, Any]) -> bytes:
    return orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS)


def decode(data: bytes) -> dict[str, Any]:
    got = orjson.loads(data)
    if not isinstance(got, dict) or got.get("v") != 1:
        raise ValueError("not a yuqing bus message (version 1)")
    return got


class BusClient:
    """A connection to the bus with plain (blocking) calls; one per process and URL."""

    def __init__(self, url: str, key: str = "main", ack_wait: float = 60.0, connect_timeout: float = 10.0):
        self.url, self.names, self.ack_wait = url, Names(key), ack_wait
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="yuqing-bus", daemon=True)
        self._thread.start()
        self._subs: dict[str, Any] = {}
        try:
            self.nc = self._run(self._connect(connect_timeout), connect_timeout + 5)
        except Exception as exc:  # noqa: BLE001 — said in words to whoever started us
            self.loop.call_soon_threadsafe(self.loop.stop)
            raise BusError(f"消息总线 {url} 连接失败：{type(exc).__name__}: {exc}") from None
        self.js = self.nc.jetstream(timeout=10)
        self._run(self._streams())

    # --- plumbing -------------------------------------------------------------------------
    def _run(self, coro, timeout: float | None = 60.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _connect(self, timeout: float):
        import nats

        async def quiet(exc):          # the client reconnects by itself; say it once per failure
            log.warning("bus: %s: %s", type(exc).__name__, exc)

        return await nats.connect(self.url, connect_timeout=timeout, max_reconnect_attempts=-1,
                                  reconnect_time_wait=0.5, allow_reconnect=True, error_cb=quiet,
                                  name="yuqing")

    async def _streams(self) -> None:
        from nats.js.api import RetentionPolicy, StorageType, StreamConfig
        from nats.js.errors import BadRequestError

        for stage in STAGES:
            config = StreamConfig(name=self.names.stream(stage), subjects=[self.names.subject(stage)],
                                  retention=RetentionPolicy.LIMITS if stage == "changes" else RetentionPolicy.WORK_QUEUE,
                                  storage=StorageType.FILE, duplicate_window=120.0,
                                  max_age=86400.0 if stage == "changes" else None)
            try:
                await self.js.add_stream(config)
            except BadRequestError:           # there already, made with other limits: take ours
                await self.js.update_stream(config)

    @property
    def max_payload(self) -> int:
        return self.nc.max_payload

    def close(self) -> None:
        try:
            self._run(self.nc.drain(), 10)
        except Exception:  # noqa: BLE001 — closing: nothing to keep
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)

    # --- publishing ---------------------------------------------------------------------------
    def publish(self, stage: str, payload: dict[str, Any], msg_id: str, deadline_s: float = 60.0) -> None:
        """Publish and wait for the stream's acknowledgement (then the message is on disk);
        while the server is away, try again until `deadline_s`, then raise BusError. The message
        id makes a second try harmless."""
        data = encode(payload)
        if len(data) > self.max_payload:
            raise MessageTooLarge(f"消息 {len(data)} 字节，超过总线上限 {self.max_payload} 字节")
        end = time.monotonic() + deadline_s
        wait = 0.2
        while True:
            try:
                self._run(self.js.publish(self.names.subject(stage), data, headers={"Nats-Msg-Id": msg_id}), 30)
                return
            except Exception as exc:  # noqa: BLE001 — a server restarting, a lost reply: try again
                if time.monotonic() + wait > end:
                    raise BusError(f"消息总线 {self.url} 未确认收到消息：{type(exc).__name__}: {exc}") from None
                log.warning("bus: publish failed (%s: %s); trying again", type(exc).__name__, exc)
                time.sleep(wait)
                wait = min(wait * 2, 5.0)

    def on_changes(self, callback) -> None:
        """Call `callback()` (in the client's thread) whenever the events worker announces changed
        events: a plain subscription, nothing to ack — the alerts table is what delivery reads."""
        async def handler(_msg):
            callback()

        self._run(self.nc.subscribe(self.names.subject("changes"), cb=handler), 30)

    # --- consuming ----------------------------------------------------------------------------
    def _sub(self, stage: str):
        if stage not in self._subs:
            from nats.js.api import AckPolicy, ConsumerConfig

            config = ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=self.ack_wait, max_deliver=-1,
                                    max_ack_pending=10_000)
            self._subs[stage] = self._run(self.js.pull_subscribe(
                self.names.subject(stage), durable=CONSUMERS[stage], stream=self.names.stream(stage), config=config))
        return self._subs[stage]

    def fetch(self, stage: str, batch: int, timeout: float = 1.0) -> list:
        """Up to `batch` messages of the stage's consumer, waiting up to `timeout` for the first;
        [] when there are none (or the server is away for now)."""
        import nats.errors

        sub = self._sub(stage)
        try:
            return self._run(sub.fetch(batch, timeout=timeout), timeout + 30)
        except (nats.errors.TimeoutError, asyncio.TimeoutError, TimeoutError):
            return []
        except Exception as exc:  # noqa: BLE001 — reconnecting: the caller asks again
            log.warning("bus: fetch failed (%s: %s)", type(exc).__name__, exc)
            time.sleep(0.5)
            return []

    def ack(self, msg) -> bool:
        """Acknowledge and wait for the server's word: after this, the message is not redelivered.
        When the server is away the ack is lost and the message comes back: harmless (the work
        it leads to is idempotent), so say it and go on."""
        try:
            self._run(msg.ack_sync(timeout=10), 30)
            return True
        except Exception as exc:  # noqa: BLE001
            log.warning("bus: ack lost (%s: %s); the message will be delivered again", type(exc).__name__, exc)
            return False

    def nak(self, msg, delay: float | None = None) -> None:
        try:
            self._run(msg.nak(delay=delay), 30)
        except Exception as exc:  # noqa: BLE001 — it comes back after the ack wait instead
            log.warning("bus: nak lost (%s: %s)", type(exc).__name__, exc)

    def working(self, msg) -> None:
        """Tell the server a long batch is still being worked on (its ack wait starts again)."""
        self._run(msg.in_progress(), 30)

    def waiting(self, stage: str) -> dict[str, int]:
        """{"pending": not yet delivered, "unacked": delivered, not yet acked} of a stage's consumer."""
        from nats.js.errors import NotFoundError

        try:
            info = self._run(self.js.consumer_info(self.names.stream(stage), CONSUMERS[stage]), 30)
        except NotFoundError:            # no worker has pulled yet: all the stream holds waits
            stream = self._run(self.js.stream_info(self.names.stream(stage)), 30)
            return {"pending": stream.state.messages, "unacked": 0}
        return {"pending": info.num_pending, "unacked": info.num_ack_pending}

    def stream_info(self) -> dict[str, dict[str, Any]]:
        out = {}
        for stage in STAGES:
            info = self._run(self.js.stream_info(self.names.stream(stage)), 30)
            out[stage] = {"messages": info.state.messages, "bytes": info.state.bytes,
                          "consumers": info.state.consumer_count}
        return out

    def consumers(self) -> dict[str, dict[str, Any]]:
        """What each stage's durable consumer holds, and how many workers pull from it now."""
        out = {}
        for stage, name in CONSUMERS.items():
            try:
                info = self._run(self.js.consumer_info(self.names.stream(stage), name), 30)
            except Exception:  # noqa: BLE001 — not made yet: no worker ever started
                out[stage] = None
                continue
            out[stage] = {"pending": info.num_pending, "unacked": info.num_ack_pending,
                          "redelivered": info.num_redelivered, "waiting_pulls": info.num_waiting}
        return out


_clients: dict[tuple[str, str], BusClient] = {}
_lock = threading.Lock()


def client(settings) -> BusClient:
    """This process's client of the configured bus (made on first use)."""
    key = (settings.bus_url, settings.bus_key)
    with _lock:
        if key not in _clients:
            _clients[key] = BusClient(settings.bus_url, settings.bus_key, settings.bus_ack_wait)
        return _clients[key]
