"""What bench/detail_callgrind.py and bench/join_callgrind.py share: a groupbuy server started
under callgrind (sweeps and webhook poller slowed to an hour, one worker, rate limits off), a
token signed with its secret, a JSON call with an Idempotency-Key on one keep-alive
connection, and the instructions counted in the dump taken after the measured window."""
import base64, glob, hashlib, hmac, http.client, json, os, re, subprocess, tempfile, time, uuid

SECRET = b"groupbuy-bench-secret-of-at-least-32-bytes"
WORK = os.environ.get("CALLGRIND_DIR", tempfile.gettempdir())


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def token(sub, roles=()):
    h = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    c = {"sub": sub, "name": sub, "scope": "groupbuy:read groupbuy:write", "exp": int(time.time()) + 6 * 3600}
    if roles: c["roles"] = list(roles)
    p = b64(json.dumps(c).encode())
    s = b64(hmac.new(SECRET, h + b"." + p, hashlib.sha256).digest())
    return (h + b"." + p + b"." + s).decode()


class Server:
    """`bin serve` on `database_url` and `port` under callgrind, dumping to `out`.<pid>."""

    def __init__(self, bin_path, database_url, port, out, log):
        for f in glob.glob(out + "*"): os.remove(f)
        self.out, self.port = out, port
        env = dict(os.environ, DATABASE_URL=database_url, GROUPBUY_BIND=f"127.0.0.1:{port}",
                   GROUPBUY_JWT_SECRET=SECRET.decode(), GROUPBUY_RATE_LIMITS="off", GROUPBUY_WORKERS="1",
                   RUST_LOG="warn", GROUPBUY_DB_POOL_SIZE="4", GROUPBUY_SWEEP_INTERVAL_MS="3600000",
                   GROUPBUY_WEBHOOK_POLL_MS="3600000")
        self.proc = subprocess.Popen(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}.%p", "--dump-instr=no", bin_path, "serve"],
            env=env, stdout=subprocess.DEVNULL, stderr=open(log, "w"))
        self.conn = None
        for _ in range(600):  # valgrind starts the server about 50 times slower
            try:
                self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                self.conn.request("GET", "/healthz"); r = self.conn.getresponse(); r.read()
                if r.status == 200: break
            except OSError: time.sleep(0.5)

    def call(self, method, path, tok, body=None):
        hdr = {"Authorization": f"Bearer {tok}", "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=hdr)
        r = self.conn.getresponse(); data = r.read()
        return r.status, (json.loads(data) if data else None)

    def zero(self):
        subprocess.run(["callgrind_control", "-z", str(self.proc.pid)], check=True, stdout=subprocess.DEVNULL)

    def instructions_since_zero(self):
        """Dumps, stops the server, and returns (instructions, part files) of the dump."""
        subprocess.run(["callgrind_control", "-d", str(self.proc.pid)], check=True, stdout=subprocess.DEVNULL)
        time.sleep(1)
        self.proc.terminate(); self.proc.wait(timeout=120)
        files = sorted(glob.glob(self.out + "*"), key=os.path.getmtime)
        # The dump taken after the window (the file with ".1" part suffix) holds it alone.
        parts = [f for f in files if re.search(r"\.\d+\.1$", f) or re.search(r"\.\d+\.1-\d+$", f)]
        total = 0
        for f in parts:
            for line in open(f):
                if line.startswith("summary:") or line.startswith("totals:"):
                    total += int(line.split()[1]); break
        return total, parts
