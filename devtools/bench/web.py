"""A tiny browser over http.client: cookies, the CSRF form flow, the two sign-in steps, link discovery.

Only talks to 127.0.0.1. Forms are read from the page itself (field names, hidden CSRF token), so the
harness follows whatever the sign-in templates render instead of hard-coding field names.
"""

import http.client
import re
import time
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit


class FormParser(HTMLParser):
    """Every <form> with its action, method and input/select fields (name, type, value)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(),
                          "fields": []}
            self.forms.append(self._form)
        elif self._form is not None and tag == "input" and attrs.get("name"):
            self._form["fields"].append({"name": attrs["name"], "type": (attrs.get("type") or "text").lower(),
                                         "value": attrs.get("value") or "",
                                         "autocomplete": attrs.get("autocomplete") or ""})
        elif self._form is not None and tag == "select" and attrs.get("name"):
            self._select = {"name": attrs["name"], "type": "select", "value": None, "autocomplete": ""}
            self._form["fields"].append(self._select)
        elif self._select is not None and tag == "option":
            if self._select["value"] is None or "selected" in attrs:
                self._select["value"] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def post_forms(html):
    parser = FormParser()
    parser.feed(html)
    return [form for form in parser.forms if form["method"] == "post"]


class Browser:
    def __init__(self, port, timeout=60):
        self.host = "127.0.0.1"
        self.port = port
        self.timeout = timeout
        self.cookies = {}

    def cookie_header(self):
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method, path, body=None, headers=None):
        """One request on a fresh connection (gunicorn's sync workers close after each response)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            hdrs = {"Host": f"{self.host}:{self.port}", "User-Agent": "portal-bench"}
            if self.cookies:
                hdrs["Cookie"] = self.cookie_header()
            if body is not None:
                hdrs["Content-Type"] = "application/x-www-form-urlencoded"
                hdrs["Origin"] = f"http://{self.host}:{self.port}"
                hdrs["Referer"] = f"http://{self.host}:{self.port}{path}"
            hdrs.update(headers or {})
            start = time.perf_counter()
            conn.request(method, path, body=body, headers=hdrs)
            response = conn.getresponse()
            data = response.read()
            elapsed = time.perf_counter() - start
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie = value.split(";", 1)[0]
                    key, _, val = cookie.partition("=")
                    if "max-age=0" in value.lower() or val in ('""', ""):
                        self.cookies.pop(key.strip(), None)
                    else:
                        self.cookies[key.strip()] = val.strip()
            return response.status, dict((k.lower(), v) for k, v in response.getheaders()), data, elapsed
        finally:
            conn.close()

    def get(self, path, follow=True, max_redirects=5):
        for _ in range(max_redirects + 1):
            status, headers, data, _ = self.request("GET", path)
            if follow and status in (301, 302, 303) and "location" in headers:
                path = local_path(path, headers["location"])
                continue
            return status, path, data.decode("utf-8", "replace")
        raise RuntimeError(f"too many redirects from {path}")

    def submit(self, page_path, form, values):
        """POST `form` (from post_forms) with its hidden fields plus `values`; follow the redirects."""
        fields = [(f["name"], f["value"]) for f in form["fields"] if f["type"] in ("hidden", "select")]
        fields = [(n, v) for n, v in fields if n not in values] + list(values.items())
        action = local_path(page_path, form["action"] or page_path)
        status, headers, data, _ = self.request("POST", action, body=urlencode(fields))
        if status in (301, 302, 303) and "location" in headers:
            return self.get(local_path(action, headers["location"]))
        return status, action, data.decode("utf-8", "replace")


def local_path(base, location):
    """A redirect target as a local path; refuses to leave the loopback server."""
    url = urlsplit(urljoin(f"http://127.0.0.1{base}", location))
    if url.hostname not in (None, "127.0.0.1", "localhost"):
        raise RuntimeError(f"refusing to follow a redirect off loopback: {location}")
    return url.path + (f"?{url.query}" if url.query else "")


def _field(form, *, types, hints=()):
    for field in form["fields"]:
        if field["type"] in types and (not hints or any(h in field["name"].lower() for h in hints)):
            return field["name"]
    for field in form["fields"]:
        if field["type"] in types:
            return field["name"]
    return None


class SignInError(RuntimeError):
    pass


def sign_in(port, username, password, otp_code_fn, login_path="/accounts/login/", landing="/"):
    """Sign in through the real forms; returns the Browser holding the session cookie.

    otp_code_fn() is called only if a second-factor form appears after the password step.
    """
    browser = Browser(port)
    status, path, html = browser.get(login_path)
    if status != 200:
        raise SignInError(f"GET {login_path} gave {status}")
    forms = [f for f in post_forms(html) if any(x["type"] == "password" for x in f["fields"])]
    if not forms:
        raise SignInError("no password form on the sign-in page")
    form = forms[0]
    user_field = _field(form, types=("text", "email"), hints=("user", "login", "email"))
    pass_field = _field(form, types=("password",))
    status, path, html = browser.submit(path, form, {user_field: username, pass_field: password})
    if status != 200:
        raise SignInError(f"password step gave {status}")
    for _ in range(2):  # the second factor, if asked for (one retry: a code at a step boundary)
        otp_forms = [f for f in post_forms(html)
                     if _field(f, types=("text", "number", "tel"), hints=("otp", "token", "code")) and
                     not any(x["type"] == "password" for x in f["fields"])]
        if urlsplit(path).path == landing or not otp_forms:
            break
        form = otp_forms[0]
        code_field = _field(form, types=("text", "number", "tel"), hints=("otp", "token", "code"))
        status, path, html = browser.submit(path, form, {code_field: otp_code_fn()})
        if status != 200:
            raise SignInError(f"second-factor step gave {status}")
    status, path, html = browser.get(landing)
    if status != 200 or urlsplit(path).path != landing:
        raise SignInError(f"not signed in: {landing} ended at {urlsplit(path).path} with {status}")
    return browser


LINK_PATTERNS = {
    "encounter": re.compile(r'href="/visits/(\d+)/"'),
    "report": re.compile(r'href="/results/(\d+)/"'),
    "analyte": re.compile(r'href="/results/analyte/([^/"?#]+)/"'),
}


def discover_ids(browser, available):
    """The first visible encounter, report and analyte of this patient, read from the list pages' links.

    available: the names of the pages that exist ("visits", "results", "result", ...).
    """
    found = {}
    for kind, name, list_path in (("encounter", "visits", "/visits/"), ("report", "results", "/results/"),
                                  ("analyte", "results", "/results/")):
        if name not in available:
            continue
        status, _, html = browser.get(list_path, follow=False)
        match = LINK_PATTERNS[kind].search(html) if status == 200 else None
        if match:
            found[kind] = match.group(1)
    if "analyte" not in found and "report" in found and "result" in available:
        status, _, html = browser.get(f"/results/{found['report']}/", follow=False)
        match = LINK_PATTERNS["analyte"].search(html) if status == 200 else None
        if match:
            found["analyte"] = match.group(1)
    return found
