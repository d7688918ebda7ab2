#!/usr/bin/env node
// Reference chat server for `make bench`: the original ProLearn room broadcast on socket.io 4.
// A client emits `join` (room name, ack callback), then `sendMessage` {text}; the server emits
// `newMessage` to everyone in the room, the sender included. No persistence, no auth.
//
// Usage: node socketio_server.js --port 3001 [--host 127.0.0.1]
"use strict";

const { randomUUID } = require("node:crypto");
const { createServer } = require("node:http");
const { parseArgs } = require("node:util");
const { Server } = require("socket.io");

const { values: args } = parseArgs({
  options: {
    port: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
  },
});
if (!args.port) {
  console.error("usage: socketio_server.js --port N [--host 127.0.0.1]");
  process.exit(2);
}

const MAX_TEXT = 2000;

const http = createServer((_req, res) => res.writeHead(404).end());
// WebSocket only: no long-polling handshake, as the load generator connects.
const io = new Server(http, { transports: ["websocket"], serveClient: false });

io.on("connection", (socket) => {
  let room = null;

  socket.on("join", (name, ack) => {
    room = String(name);
    socket.join(room);
    if (typeof ack === "function") ack({ ok: true });
  });

  socket.on("sendMessage", (data) => {
    const text = data && typeof data.text === "string" ? data.text : "";
    if (room === null || text.length < 1 || text.length > MAX_TEXT) {
      socket.emit("error", { code: "invalid_message", message: "join a room; text 1-2000 chars" });
      return;
    }
    io.to(room).emit("newMessage", {
      sessionId: room,
      messageId: randomUUID(),
      timestamp: new Date().toISOString(),
      senderId: socket.id,
      senderName: `user-${socket.id.slice(0, 6)}`,
      text,
    });
  });
});

// Printed once the port is bound; callers may also just probe the port.
http.listen(Number(args.port), args.host, () =>
  console.log(`listening on ${args.host}:${args.port}`),
);

const stop = () => io.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
