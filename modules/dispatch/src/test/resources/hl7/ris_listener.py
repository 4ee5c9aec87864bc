#!/usr/bin/python3
"""A stand-in RIS for the tests: python-hl7's asyncio MLLP server (Debian's python3-hl7).

Each received message is parsed by python-hl7 (not HAPI) and written as one JSON line: its segment ids,
MSH-9, MSH-10, the ACK code answered, and every field by position ("OBX[3]-5" the whole field of the third
OBX, "OBX[3]-5.2" its second component), values unescaped by python-hl7. The answer is an ACK built by
python-hl7's Message.create_ack with the configured code (AA, AE, AR, CA, CE, CR), with the error text in
MSA-3 and an ERR segment for error codes, or no answer at all ("none"). A control file, read for every
message, overrides the code and text, so a test can change the RIS's mind: each line is "[MESSAGE] CODE [text]"
("AR Unknown order", or "ORU AE Database busy" for ORU messages only); the first line that applies wins.
With --cert and --key it listens with TLS.
"""
import argparse
import asyncio
import datetime
import json
import os
import ssl

import hl7
import hl7.mllp


def fields_of(message):
    values, segments, seen = {}, [], {}
    for segment in message:
        sid = str(segment[0])
        segments.append(sid)
        seen[sid] = seen.get(sid, 0) + 1
        n = seen[sid]
        for f in range(1, len(segment)):
            key = "%s[%d]-%d" % (sid, n, f)
            node = segment[f]
            values[key] = message.unescape(str(node))
            first = node[0] if len(node) else None
            components = len(first) if isinstance(first, hl7.Repetition) else 1
            for c in range(1, components + 1):
                values["%s.%d" % (key, c)] = message.extract_field(sid, n, f, 1, c)
    return segments, values


CODES = ("AA", "AE", "AR", "CA", "CE", "CR", "NONE")


def answer_for(args, message_code):
    if args.control and os.path.exists(args.control):
        with open(args.control) as f:
            lines = [line.strip() for line in f if line.strip()]
        for line in lines:
            parts = line.split(" ")
            if parts[0].upper() not in CODES:
                if parts[0] != message_code:
                    continue
                parts = parts[1:]
            return parts[0].upper(), " ".join(parts[1:])
    return args.ack.upper(), args.text or ""


def ack_text(message, code, text, counter):
    ack = message.create_ack(code, message_id="RIS%d" % counter, application="TEST_RIS", facility="TEST")
    er7 = str(ack).rstrip("\r")
    if text:
        escaped = message.escape(text)
        er7 += "|" + escaped
        if code not in ("AA", "CA"):
            er7 += "\rERR|||207^Application internal error^HL70357|E||||" + escaped
    return er7 + "\r"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--ack", default="AA")
    parser.add_argument("--text", default="")
    parser.add_argument("--control", default=None)
    parser.add_argument("--cert", default=None)
    parser.add_argument("--key", default=None)
    args = parser.parse_args()
    counter = [0]

    async def handle(reader, writer):
        try:
            while True:
                message = await reader.readmessage()
                counter[0] += 1
                code, text = answer_for(args, str(message.segment("MSH")(9)(1)(1)))
                segments, values = fields_of(message)
                record = {
                    "receivedAt": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                    "type": str(message.segment("MSH")(9)),
                    "controlId": str(message.segment("MSH")(10)),
                    "ack": code,
                    "segments": segments,
                    "fields": values,
                }
                with open(args.out, "a", encoding="utf-8") as out:
                    out.write(json.dumps(record) + "\n")
                if code == "NONE":
                    continue  # hold the connection, say nothing: the sender's ACK timeout decides
                writer.writeblock(ack_text(message, code, text, counter[0]).encode("utf-8"))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionResetError):
            pass
        finally:
            writer.close()

    tls = None
    if args.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)
    server = await hl7.mllp.start_hl7_server(handle, "127.0.0.1", args.port, encoding="utf-8", encoding_errors="replace", ssl=tls)
    print("listening on %d" % args.port, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
