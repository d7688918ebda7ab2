#!/usr/bin/env node
// WebSocket room-broadcast load generator for `make bench`: one process opens every socket, offers
// a steady rate of chat messages, and measures delivery to each room member on this machine's
// clock. Prints ONE JSON object on stdout; progress and problems go to stderr.
"use strict";

const { randomBytes } = require("node:crypto");
const { readFileSync } = require("node:fs");
const { monitorEventLoopDelay, performance } = require("node:perf_hooks");
const { parseArgs } = require("node:util");
const { io } = require("socket.io-client");
const WebSocket = require("ws");

const USAGE = `usage:
  node loadgen.js --mode prolearn --plan plan.json [options]
      plan.json: [{"url": "ws://host:port/ws/chat/<sessionId>?token=<jwt>"}, ...], one per socket;
      entries 2k and 2k+1 share a room
  node loadgen.js --mode socketio --url http://host:port [--sockets 1000] [--rooms 500] [options]
options: --rate 2500 (sends/s, all sockets together)  --seconds 10  --drain 3 (s to wait for
  in-flight deliveries)  --connect-batch 100  --connect-timeout 10 (s)`;

const TICK_MS = 5; // the send loop's period: each tick sends whatever is due by now
const SETTLE_MS = 500; // pause between "all connected" and the first send
const MAX_SENDS_PER_SOCKET = 5; // per second; the ProLearn server limits each socket to ~10/s
const LOOP_PROBE_MS = 2; // the event-loop delay probe's period, which its samples include
// Each text is "t=<send time, epoch ms>|<seq>|<run>": the run id keeps a stored history from an
// earlier run (replayed on join, say) from counting as this run's deliveries.
const RUN = randomBytes(4).toString("hex");
const TEXT = new RegExp(`^t=(\\d+(?:\\.\\d+)?)\\|(\\d+)\\|${RUN}$`);

const { values: opt } = parseArgs({
  options: {
    mode: { type: "string" },
    plan: { type: "string" },
    url: { type: "string" },
    sockets: { type: "string", default: "1000" },
    rooms: { type: "string", default: "500" },
    rate: { type: "string", default: "2500" },
    seconds: { type: "string", default: "10" },
    drain: { type: "string", default: "3" },
    "connect-batch": { type: "string", default: "100" },
    "connect-timeout": { type: "string", default: "10" },
    help: { type: "boolean", default: false },
  },
});
if (opt.help) {
  console.log(USAGE);
  process.exit(0);
}

function fail(message) {
  console.error(`loadgen: ${message}\n${USAGE}`);
  process.exit(2);
}

function positive(name) {
  const value = Number(opt[name]);
  if (!(value > 0 && Number.isFinite(value))) fail(`--${name} must be a positive number`);
  return value;
}

const rate = positive("rate");
const seconds = positive("seconds");
const drainMs = positive("drain") * 1000;
const connectBatch = Math.ceil(positive("connect-batch"));
const connectTimeoutMs = positive("connect-timeout") * 1000;

// Sub-millisecond wall-clock time, comparable across sockets of this process.
const now = () => performance.timeOrigin + performance.now();
const log = (...parts) => console.error("[loadgen]", ...parts);

const stats = {
  sent: 0,
  delivered: 0,
  expected: 0,
  duplicates: 0,
  misrouted: 0, // a message from another room
  unexpected: 0, // a newMessage whose text this run did not send
  acks: 0,
  errors: 0,
  errorCodes: {},
  disconnects: 0,
  latencies: [],
  bySecond: [], // latencies by the second of the run they were sent in: where the stalls are
  firstSendAt: 0,
  lastDeliveryAt: 0,
};
let senderRoom = new Int32Array(0); // by seq: the room the message was sent to
let expectedBy = new Uint8Array(0); // by seq: how many open members should receive it
let receivedBy = new Uint8Array(0); // by seq: how many did

function countError(code) {
  stats.errors += 1;
  stats.errorCodes[code] = (stats.errorCodes[code] || 0) + 1;
}

// Every newMessage on every socket goes through here; the latency sample is taken first thing.
function onDelivery(member, text) {
  const receivedAt = now();
  const match = typeof text === "string" ? TEXT.exec(text) : null;
  const seq = match ? Number(match[2]) : -1;
  if (seq < 0 || seq >= stats.sent) {
    stats.unexpected += 1;
  } else if (senderRoom[seq] !== member.room) {
    stats.misrouted += 1;
  } else if (++receivedBy[seq] > expectedBy[seq]) {
    stats.duplicates += 1;
  } else {
    stats.delivered += 1;
    const sentAt = Number(match[1]);
    stats.latencies.push(receivedAt - sentAt);
    const second = Math.floor((sentAt - stats.firstSendAt) / 1000);
    (stats.bySecond[second] ||= []).push(receivedAt - sentAt);
    stats.lastDeliveryAt = receivedAt;
  }
}

function onClosed(member) {
  if (member.open) stats.disconnects += 1;
  member.open = false;
}

// --- the two kinds of client: each resolves once the socket can send and receive in its room ---

function connectProlearn(member) {
  return new Promise((resolve, reject) => {
    // No permessage-deflate: the socket.io reference does not compress either.
    const ws = new WebSocket(member.url, { perMessageDeflate: false });
    member.close = () => ws.terminate();
    member.send = (text, id) =>
      ws.send(JSON.stringify({ event: "sendMessage", data: { text, clientMessageId: id } }));
    ws.on("message", (raw) => {
      let frame;
      try {
        frame = JSON.parse(raw.toString());
      } catch {
        countError("bad_frame");
        return;
      }
      if (frame.event === "newMessage") onDelivery(member, frame.data && frame.data.text);
      else if (frame.event === "ack") stats.acks += 1;
      else if (frame.event === "error") countError((frame.data && frame.data.code) || "error");
    });
    ws.once("open", resolve);
    ws.on("error", (err) => (member.open ? countError("socket_error") : reject(err)));
    ws.on("close", () => {
      onClosed(member);
      reject(new Error("closed before open"));
    });
  });
}

function connectSocketio(member) {
  return new Promise((resolve, reject) => {
    // forceNew: one engine connection per socket, not one multiplexed for the whole process.
    const socket = io(member.url, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      timeout: connectTimeoutMs,
    });
    member.close = () => socket.disconnect();
    member.send = (text) => socket.emit("sendMessage", { text });
    socket.on("newMessage", (data) => onDelivery(member, data && data.text));
    socket.on("error", (data) => countError((data && data.code) || "error"));
    socket.on("disconnect", () => onClosed(member));
    socket.once("connect_error", reject);
    socket.once("connect", () =>
      socket
        .timeout(connectTimeoutMs)
        .emit("join", `room-${member.room}`, (err) => (err ? reject(err) : resolve())),
    );
  });
}

function planMembers() {
  if (opt.mode === "prolearn") {
    if (!opt.plan) fail("--plan is required in prolearn mode");
    const plan = JSON.parse(readFileSync(opt.plan, "utf8"));
    if (!Array.isArray(plan) || plan.length === 0) fail("the plan must be a non-empty array");
    return plan.map((entry, i) => ({ index: i, room: Math.floor(i / 2), url: entry.url }));
  }
  if (opt.mode === "socketio") {
    if (!opt.url) fail("--url is required in socketio mode");
    const sockets = Math.round(positive("sockets"));
    const perRoom = Math.ceil(sockets / positive("rooms"));
    return Array.from({ length: sockets }, (_, i) => ({
      index: i,
      room: Math.floor(i / perRoom),
      url: opt.url,
    }));
  }
  return fail("--mode must be prolearn or socketio");
}

// The target as it may be printed: the plan's URLs carry tokens, which never go to a log.
function target(members) {
  const url = new URL(members[0].url);
  return `${url.protocol}//${url.host}${opt.mode === "prolearn" ? "/ws/chat/<sessionId>" : ""}`;
}

async function connectAll(members) {
  const connect = opt.mode === "prolearn" ? connectProlearn : connectSocketio;
  const reasons = {};
  const started = now();
  for (let i = 0; i < members.length; i += connectBatch) {
    const batch = members.slice(i, i + connectBatch);
    const results = await Promise.allSettled(batch.map((m) => withTimeout(connect(m))));
    results.forEach((result, j) => {
      if (result.status === "fulfilled") {
        batch[j].open = true;
      } else {
        const reason = String((result.reason && result.reason.message) || result.reason);
        reasons[reason] = (reasons[reason] || 0) + 1;
        if (batch[j].close) batch[j].close();
      }
    });
  }
  const connectSeconds = (now() - started) / 1000;
  const failures = Object.values(reasons).reduce((a, b) => a + b, 0);
  log(`connected ${members.length - failures}/${members.length} in ${connectSeconds.toFixed(1)}s`);
  return { connectSeconds, failures, reasons };
}

function withTimeout(promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("connect timeout")), connectTimeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Open-loop offered load: every TICK_MS, send whatever the schedule says is due by now, round-robin
// over the sockets so each one sends every (sockets / rate) seconds — never in bursts.
function offerLoad(live, rooms) {
  const slots = Math.round(rate * seconds);
  senderRoom = new Int32Array(slots);
  expectedBy = new Uint8Array(slots);
  receivedBy = new Uint8Array(slots);
  let offered = 0;
  let cursor = 0;
  return new Promise((resolve) => {
    const started = now();
    stats.firstSendAt = started;
    const tick = () => {
      const due = Math.min(slots, Math.floor((rate * (now() - started)) / 1000));
      for (; offered < due; offered += 1) {
        const member = live[cursor];
        cursor = (cursor + 1) % live.length;
        if (!member.open) {
          countError("socket_closed");
          continue;
        }
        const seq = stats.sent;
        senderRoom[seq] = member.room;
        expectedBy[seq] = rooms.get(member.room).filter((m) => m.open).length;
        stats.expected += expectedBy[seq];
        stats.sent += 1;
        member.send(`t=${now().toFixed(3)}|${seq}|${RUN}`, `${RUN}-${seq}`);
      }
      if (offered < slots) setTimeout(tick, TICK_MS);
      else resolve((now() - started) / 1000);
    };
    tick();
  });
}

async function drain() {
  const deadline = now() + drainMs;
  while (stats.delivered < stats.expected && now() < deadline) await sleep(20);
}

// Nearest-rank percentile of a sorted array.
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

// Per second of sending: deliveries, p99 and max, so a stall shows where it happened.
function timeline() {
  return Array.from(stats.bySecond, (samples = []) => {
    const sorted = Float64Array.from(samples).sort();
    return {
      n: sorted.length,
      p99_ms: round(percentile(sorted, 0.99), 1),
      max_ms: round(sorted.length ? sorted[sorted.length - 1] : null, 1),
    };
  });
}

const round = (x, digits = 2) => (x === null ? null : Number(x.toFixed(digits)));

async function main() {
  const members = planMembers();
  const rooms = new Map();
  for (const m of members) rooms.set(m.room, [...(rooms.get(m.room) || []), m]);

  const connected = await connectAll(members);
  const live = members.filter((m) => m.open);
  if (live.length === 0) {
    console.error("loadgen: no socket connected:", JSON.stringify(connected.reasons));
    process.exit(1);
  }
  const perSocket = rate / live.length;
  if (perSocket > MAX_SENDS_PER_SOCKET) {
    log(`warning: ${perSocket.toFixed(1)} sends/s per socket exceeds ${MAX_SENDS_PER_SOCKET}`);
  }
  await sleep(SETTLE_MS);

  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_PROBE_MS });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const runStarted = now();
  log(`offering ${rate} sends/s for ${seconds}s over ${live.length} sockets`);
  const sendSeconds = await offerLoad(live, rooms);
  await drain();
  const cpu = process.cpuUsage(cpuBefore);
  const runSeconds = (now() - runStarted) / 1000;
  loopDelay.disable();

  const sorted = Float64Array.from(stats.latencies).sort();
  const deliverySeconds = (stats.lastDeliveryAt - stats.firstSendAt) / 1000;
  const report = {
    mode: opt.mode,
    target: target(members),
    sockets: members.length,
    rooms: rooms.size,
    connected: live.length,
    connect_failures: connected.failures,
    connect_failure_reasons: connected.reasons,
    connect_seconds: round(connected.connectSeconds),
    seconds,
    offered_sends_per_second: rate,
    achieved_sends_per_second: round(stats.sent / sendSeconds, 1),
    // Deliveries over the span from the first send to the last delivery: the sustained rate.
    delivered_per_second: deliverySeconds > 0 ? round(stats.delivered / deliverySeconds, 1) : 0,
    latency_p50_ms: round(percentile(sorted, 0.5)),
    latency_p99_ms: round(percentile(sorted, 0.99)),
    latency_max_ms: round(sorted.length ? sorted[sorted.length - 1] : null),
    sent: stats.sent,
    delivered: stats.delivered,
    expected_deliveries: stats.expected,
    missing: stats.expected - stats.delivered,
    duplicates: stats.duplicates,
    misrouted: stats.misrouted,
    unexpected: stats.unexpected,
    acks: stats.acks,
    errors: stats.errors,
    error_codes: stats.errorCodes,
    disconnects: stats.disconnects,
    sends_per_socket_per_second: round(perSocket),
    loadgen_cpu_percent: round(((cpu.user + cpu.system) / 1e6 / runSeconds) * 100, 1),
    // How late this process's own timers ran: large values mean the generator inflates latency.
    timeline: timeline(),
    loadgen_loop_delay_p99_ms: round(Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_PROBE_MS)),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
}

main().catch((err) => {
  console.error("loadgen:", err);
  process.exit(1);
});
