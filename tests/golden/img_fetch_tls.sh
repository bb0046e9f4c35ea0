# img-fetch over HTTPS against a local TLS server with a certificate made at test time: a trusted
# CA file (--cacert) fetches, an untrusted certificate fails with the `tls` code, an http -> https
# redirect is followed.
source "$(dirname "$0")/lib.sh"

FETCH=$BIN/img-fetch
if ! command -v openssl >/dev/null; then
  skip "all HTTPS checks" "needs the openssl command (scripts/install-deps test)"
  finish
  exit
fi
F=$T/www
make_fixtures "$F"

# Two certificates for 127.0.0.1: the server's, and an unrelated one to trust by mistake.
for name in server other; do
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=imgpipe test $name" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$T/$name.key" -out "$T/$name.pem" 2>/dev/null
done
[[ -s $T/server.pem && -s $T/other.pem ]] || { echo "$TEST_NAME: error: openssl could not make a certificate" >&2; exit 2; }

# An HTTPS server and a plain HTTP one whose /to-https/<file> redirects to the HTTPS server.
cat >"$T/server.py" <<'PY'
import http.server, os, ssl, sys, threading
os.chdir(sys.argv[1])
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
tls = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Quiet)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
tls_port = tls.server_address[1]
class Redirect(Quiet):
    def do_GET(self):
        if self.path.startswith('/to-https/'):
            self.send_response(301)
            self.send_header('Location', 'https://127.0.0.1:%d/%s' % (tls_port, self.path[10:]))
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        return super().do_GET()
plain = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Redirect)
threading.Thread(target=tls.serve_forever, daemon=True).start()
open(sys.argv[4] + '.tmp', 'w').write('%d %d' % (tls_port, plain.server_address[1]))
os.rename(sys.argv[4] + '.tmp', sys.argv[4])
plain.serve_forever()
PY
start_server "$T/ports" "$PY" "$T/server.py" "$F" "$T/server.pem" "$T/server.key" "$T/ports" || exit 2
read -r TLS_PORT PLAIN_PORT <"$T/ports"
S=https://127.0.0.1:$TLS_PORT
P=http://127.0.0.1:$PLAIN_PORT
SUM=$(sha256sum <"$F/rgb.png" | cut -c1-64)

# --- a trusted CA file ----------------------------------------------------------------------
echo "$S/rgb.png" >"$T/in1"
run -i "$T/in1" "$FETCH" --rate 0 --cacert "$T/server.pem" --save "$T/s1"
keep trusted
assert_rc "trusted certificate: exit 0" 0
assert_jq "trusted certificate: fetched over https with status 200 and the served bytes" "$T/trusted.out" \
  "length == 1 and .[0].status == 200 and .[0].sha256 == \"$SUM\" and (.[0].error == null)"
assert_cmp "trusted certificate: the saved file is the served file" "$F/rgb.png" "$(jq -r .path "$T/trusted.out")"

# --- untrusted certificates -----------------------------------------------------------------
run -i "$T/in1" "$FETCH" --rate 0 --save "$T/s2"
keep untrusted
assert_rc "self-signed certificate not trusted by the system: exit 1" 1
assert_jq_eq "untrusted: error code tls" "$T/untrusted.out" '[.[].error.code]' '["tls"]'
assert_jq "untrusted: the message names the URL and the certificate problem" "$T/untrusted.out" \
  ".[0].error.message | startswith(\"$S/rgb.png: \") and test(\"certificate|SSL\"; \"i\")"
assert_grep "untrusted: the summary counts it as tls" 'failed \(tls 1\)' "$T/untrusted.err"
assert_eq "untrusted: nothing saved" "0" "$(find "$T/s2" -type f 2>/dev/null | wc -l | tr -d ' ')"
run -i "$T/in1" "$FETCH" --rate 0 --cacert "$T/other.pem" --save "$T/s3"
assert_rc "a CA file that did not sign the server's certificate: exit 1" 1
assert_jq_eq "wrong CA file: error code tls, not retried" "$OUT" '[.[] | [.error.code, .fetch.attempts]]' '[["tls",1]]'

# --- http -> https redirect -----------------------------------------------------------------
echo "$P/to-https/rgb.png" >"$T/in4"
run -i "$T/in4" "$FETCH" --rate 0 --cacert "$T/server.pem" --allow-private --save "$T/s4"
keep redirect
assert_rc "http -> https redirect: exit 0" 0
assert_jq "redirect: final_url is the https URL, one redirect, the served bytes" "$T/redirect.out" \
  ".[0].final_url == \"$S/rgb.png\" and .[0].fetch.redirects == 1 and .[0].sha256 == \"$SUM\""
run -i "$T/in4" "$FETCH" --rate 0 --allow-private --save "$T/s5"
assert_jq_eq "redirect to an untrusted https server: tls" "$OUT" '[.[].error.code]' '["tls"]'

# --- usage ----------------------------------------------------------------------------------
run -i "$T/in1" "$FETCH" --cacert "$T/missing.pem"
assert_rc "unreadable --cacert: exit 2" 2
assert_grep "unreadable --cacert: the message names the file" "missing.pem" "$ERR"

finish
