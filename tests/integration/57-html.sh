# tests/integration/57-html.sh - probe --html: the page in a real browser
# (issue 15).
#
# One probe of the lab's good domain writes --json and --html together, so
# that page and JSON come from the same run; a badsmtp peer (mode markup,
# 127.10.2.220) greets and answers EHLO with HTML, quotes, control octets
# and invalid UTF-8. Headless Chromium (package chromium, scripts/setup.sh)
# runs twice: a screenshot of the good page, which must be a real picture
# (size, more than a few colours), and a DOM dump of a harness page that
# frames both pages and copies out their DOM as the browser built it (the
# harness has a script; the report pages have none and need none). The
# numbers the good page shows (MX hosts, addresses, levels delivering, each
# level's and address's outcome, certificate expiry dates, step timings,
# findings per severity, exit code) must equal the JSON's; the hostile page
# must hold no element or attribute the report does not write itself, and
# show the peer's markup as text. Usage: --html with --domains, with a path
# that cannot be written, with control octets: exit 2, no probe.
# Chromium starts in its own process group, killed as a group afterwards:
# no browser process outlives the test.
. "$SMTPTLS_TOP/tests/lib.sh"

T0=$(date +%s%N)
WORK=$(mktemp -d /tmp/smtptls-html.XXXXXX)
PEER="$SMTPTLS_BUILD/peers/badsmtp"
PEER_PID="" CHROME_PIDS=""
cleanup() {
	local p
	[ -z "$PEER_PID" ] || kill "$PEER_PID" 2>/dev/null
	for p in $CHROME_PIDS; do kill -- "-$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT

# --- usage: refused before any probe -------------------------------------
printf 'good.lab.test\n' >"$WORK/list"
t_run html/usage/with-domains 2 lab_probe --html "$WORK/x.html" -f "$WORK/list"
t_match html/usage/with-domains/said 'html.*--domains' "$(cat "$T_ERR")"
t_run html/usage/unwritable 2 lab_probe --html "$WORK/no/such/dir/x.html" good.lab.test
t_match html/usage/unwritable/said "cannot write '$WORK/no/such/dir/x.html'" "$(cat "$T_ERR")"
t_run html/usage/control-octets 2 lab_probe --html "$WORK/a$(printf '\033')b" good.lab.test
t_eq html/usage/no-file-left "" "$(ls "$WORK" | grep -v '^list$')"

# --- one probe, both reports ---------------------------------------------
t_run html/good/probe 0 lab_probe --json --html "$WORK/good.html" good.lab.test
cp "$T_OUT" "$WORK/good.json"
t_eq html/good/stdout-is-json probe "$(jq -r .type "$WORK/good.json" 2>&1)"
# Self-contained: nothing to fetch, nothing to run.
t_eq html/good/self-contained "" \
    "$(grep -Eio '<script|<link|<img|<iframe|src=|url\(|@import|https?://[^ <]*\.(css|js)' "$WORK/good.html" | sort -u | tr '\n' ' ')"
# The human report still goes to stdout with --html.
t_run html/good/human 0 lab_probe --html "$WORK/good2.html" good.lab.test
t_match html/good/human/report 'good\.lab\.test' "$(head -c 2000 "$T_OUT")"
t_match html/good/human/page '</html>' "$(tail -c 100 "$WORK/good2.html")"

# --- the hostile peer ----------------------------------------------------
"$PEER" --listen 127.10.2.220:25 --mode markup --lifetime 30 2>"$WORK/peer.err" &
PEER_PID=$!
for _ in $(seq 100); do
	ss -ltnH 'src 127.10.2.220 and sport = :25' | grep -q . && break
	sleep 0.05
done
t_run html/hostile/probe 0 lab_probe --json --html "$WORK/bad.html" --host 127.10.2.220
cp "$T_OUT" "$WORK/bad.json"
t_match html/hostile/banner-reached '<script>' \
    "$(jq -r '.mx[0].addresses[0].smtp.banner.lines[0]' "$WORK/bad.json")"
kill "$PEER_PID" 2>/dev/null
wait "$PEER_PID" 2>/dev/null
PEER_PID=""

# --- the browser ---------------------------------------------------------
cat >"$WORK/harness.html" <<'EOF'
<!DOCTYPE html><html><body>
<iframe id="good" src="good.html"></iframe><iframe id="bad" src="bad.html"></iframe>
<pre id="out-good"></pre><pre id="out-bad"></pre>
<script>
window.addEventListener('load', function () {
  for (const k of ['good', 'bad'])
    document.getElementById('out-' + k).textContent =
      document.getElementById(k).contentDocument.documentElement.outerHTML;
});
</script></body></html>
EOF
# chrome OUT ARGS...: one headless Chromium run in its own process group,
# bounded by timeout; stdout to OUT
chrome() {
	local out=$1 pid
	shift
	setsid timeout -k 2 40 chromium --headless=new --no-sandbox --disable-gpu \
	    --no-first-run --disable-extensions --disable-background-networking \
	    --disable-component-update --disable-sync --hide-scrollbars \
	    --user-data-dir="$WORK/profile" "$@" >"$out" 2>>"$WORK/chrome.err" &
	pid=$!
	CHROME_PIDS="$CHROME_PIDS $pid"
	wait "$pid"
}
if ! command -v chromium >/dev/null; then
	t_fail html/chromium "chromium installed (scripts/setup.sh)" "not found"
else
	# Half scale: the PNG covers 1280x1800 CSS pixels with a quarter of the
	# pixels to decode.
	chrome "$WORK/shot.out" --force-device-scale-factor=0.5 \
	    --window-size=1280,1800 --screenshot="$WORK/shot.png" \
	    "file://$WORK/good.html"
	t_eq html/chromium/screenshot-exit 0 "$?"
	chrome "$WORK/dom.html" --allow-file-access-from-files \
	    --dump-dom "file://$WORK/harness.html"
	t_eq html/chromium/dump-dom-exit 0 "$?"
	for p in $CHROME_PIDS; do kill -- "-$p" 2>/dev/null; done
	t_eq html/chromium/none-left "" "$(pgrep -f "user-data-dir=$WORK/profile")"
fi

python3 - "$WORK" <<'EOF'
import json, struct, sys, zlib
from html.parser import HTMLParser

work = sys.argv[1]
fails = 0

def check(name, want, seen):
    global fails
    if want == seen:
        print("PASS html/%s" % name)
    else:
        fails += 1
        print("FAIL html/%s\n  expected: %r\n  seen: %r" % (name, want, seen))

# png_colours - width, height and distinct colours of a PNG (every other
# pixel of every fourth row), decoded with zlib and the five PNG filters
def png_colours(path):
    d = open(path, 'rb').read()
    if d[:8] != b'\x89PNG\r\n\x1a\n':
        return 0, 0, 0
    pos, idat = 8, b''
    while pos < len(d):
        n, = struct.unpack('>I', d[pos:pos + 4])
        typ, body = d[pos + 4:pos + 8], d[pos + 8:pos + 8 + n]
        pos += 12 + n
        if typ == b'IHDR':
            w, h, depth, ct = struct.unpack('>IIBB', body[:10])
        elif typ == b'IDAT':
            idat += body
    bpp = {2: 3, 6: 4}[ct]
    raw, stride = zlib.decompress(idat), w * bpp
    prev, colours, off = bytearray(stride), set(), 0
    for y in range(h):
        f, cur = raw[off], bytearray(raw[off + 1:off + 1 + stride])
        off += 1 + stride
        if f == 2:
            cur = bytearray((a + b) & 255 for a, b in zip(cur, prev))
        elif f in (1, 3, 4):
            for i in range(stride):
                a = cur[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                if f == 1:
                    p = a
                elif f == 3:
                    p = (a + b) // 2
                else:
                    pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                    p = a if pa <= pb and pa <= pc else b if pb <= pc else c
                cur[i] = (cur[i] + p) & 255
        if y % 4 == 0:
            for x in range(0, stride, 2 * bpp):
                colours.add(bytes(cur[x:x + 3]))
        prev = cur
    return w, h, len(colours)

class Outer(HTMLParser):
    """The harness page: the text of <pre id=out-good> and out-bad."""
    def __init__(self):
        super().__init__()
        self.cur, self.text = None, {}
    def handle_starttag(self, tag, attrs):
        if tag == 'pre':
            self.cur = dict(attrs).get('id')
            self.text[self.cur] = ''
    def handle_endtag(self, tag):
        if tag == 'pre':
            self.cur = None
    def handle_data(self, data):
        if self.cur:
            self.text[self.cur] += data

class Page(HTMLParser):
    """A report page: text by data-k, every tag and attribute seen."""
    def __init__(self):
        super().__init__()
        self.keys, self.stack, self.tags, self.attrs = {}, [], set(), set()
        self.text = ''
    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for k, _ in attrs:
            self.attrs.add(k)
        if tag in ('br', 'meta'):
            return
        k = dict(attrs).get('data-k')
        self.stack.append(k)
        if k is not None:
            self.keys[k] = ''
    def handle_endtag(self, tag):
        if tag not in ('br', 'meta') and self.stack:
            self.stack.pop()
    def handle_data(self, data):
        self.text += data
        for k in self.stack:
            if k is not None:
                self.keys[k] += data

def page(html):
    p = Page()
    p.feed(html)
    return p

# --- the screenshot ---
try:
    import os
    size = os.path.getsize(work + '/shot.png')
    w, h, n = png_colours(work + '/shot.png')
except (OSError, KeyError, zlib.error, UnboundLocalError) as e:
    size, w, h, n = 0, 0, 0, 0
check('screenshot/size>20k', True, size > 20000)
check('screenshot/dimensions', (640, 900), (w, h))
check('screenshot/colours>16', True, n > 16)
print('# screenshot: %d octets, %dx%d, %d colours sampled' % (size, w, h, n))

outer = Outer()
outer.feed(open(work + '/dom.html', encoding='utf-8').read())
good = page(outer.text.get('out-good', ''))
bad = page(outer.text.get('out-bad', ''))
doc = json.load(open(work + '/good.json'))
k = good.keys
dash = '\u2014'
num = lambda v: dash if v is None else str(v)

# --- the good page's numbers are the JSON's ---
s = doc['summary']
check('good/mx-count', str(len(doc['mx'])), k.get('mx.count'))
for f in ('total', 'measured', 'error'):
    check('good/addresses.' + f, str(s['addresses'][f]), k.get('addresses.' + f))
levels = doc['verdicts']['levels']
check('good/levels-delivering',
      str(sum(1 for l in levels.values() if l['outcome'] == 'deliver')),
      k.get('levels.deliver'))
check('good/levels-judged', str(len(levels)), k.get('levels.count'))
check('good/exit-code', str(s['exit_code']), k.get('summary.exit_code'))
check('good/mta-sts-id', doc['mta_sts']['txt']['id'], k.get('mta_sts.id'))
for name, l in levels.items():
    check('good/level/' + name, l['outcome'], k.get('level.' + name))
    for a in l['addresses']:
        cell = k.get('level.%s.%s' % (name, a['address']), '')
        check('good/level/%s/%s' % (name, a['address']), a['outcome'],
              cell.split(' ')[0])
naddr = 0
for m in doc['mx']:
    for a in m['addresses']:
        naddr += 1
        ad = a['address']
        for c in (a['tls'] or {}).get('chain', []):
            check('good/not_after/%s/%d' % (ad, c['depth']), c['not_after'],
                  k.get('not_after.%s.%d' % (ad, c['depth'])))
        for step, v in a['timings_ms'].items():
            check('good/timing/%s/%s' % (ad, step), num(v),
                  k.get('timing.%s.%s' % (ad, step)))
check('good/addresses-on-page', 2, naddr)
for sev in ('critical', 'high', 'medium', 'low', 'info'):
    n = sum(1 for c in doc['checks'] if c['severity'] == sev and
            c['status'] in ('fail', 'warn', 'error'))
    check('good/findings/' + sev, str(n), k.get('findings.' + sev))

# --- the hostile page: only the report's own markup ---
allowed = {'html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2',
           'h3', 'p', 'table', 'tbody', 'tr', 'th', 'td', 'code', 'br',
           'small', 'span', 'div', 'details', 'summary', 'footer'}
check('hostile/page-parsed', True, 'reply.127.10.2.220.banner' in bad.keys)
check('hostile/no-foreign-elements', [], sorted(bad.tags - allowed))
check('hostile/no-foreign-attributes', [],
      sorted(bad.attrs - {'lang', 'charset', 'name', 'content', 'class',
                          'data-k', 'style', 'title', 'id'}))
banner = bad.keys.get('reply.127.10.2.220.banner', '')
check('hostile/banner-as-text', True,
      "<script>alert('banner')</script>" in banner and
      '<img src=x onerror=alert(2)>' in banner)
check('hostile/controls-replaced', True,
      '\x1b' not in bad.text and '\x01' not in bad.text and '\ufffd' in banner)
check('hostile/ehlo-as-text', True,
      '<svg onload=alert(3)> "x" &amp;' in bad.keys.get('reply.127.10.2.220.ehlo', ''))
sys.exit(1 if fails else 0)
EOF
[ $? -eq 0 ] || T_FAILED=$((T_FAILED + 1))
echo "# 57-html: $(( ($(date +%s%N) - T0) / 1000000 )) ms"
t_done
