#!/usr/bin/env python3
"""Runs the commands that README.md and docs/*.md show, so the docs cannot drift from the tools.

Every fenced block of a document is accounted for:

- ``sh`` blocks run in bash (``set -euo pipefail``), one after the other in the document's own
  scratch directory, carrying exported variables from block to block as a reader's shell would;
- ``python`` blocks run with python3;
- an ``ini`` block with a ``credential_process`` line is written to ``$AWS_CONFIG_FILE``;
- ``json``, ``diff`` and unlabelled blocks show output or a file, and are not commands.

A comment on the line before a block changes what happens to it:

- ``<!-- docs-test: background REGEX -->`` runs it in the background until the document ends, and
  waits until its output matches REGEX (a server, ``serve``, ``update``);
- ``<!-- docs-test: synopsis -->`` is a usage summary: every ``--flag`` it names must be in the
  command's ``--help``;
- ``<!-- docs-test: file NAME -->`` writes the block to NAME (a policy the next commands read);
- ``<!-- docs-test: skip REASON -->`` is not run here, and REASON says where it is exercised.

Commands run as written except for placeholders, replaced with real values from the local service:
``TA_ARN``, ``PROFILE_ARN``, ``ROLE_ARN``, ``TA_ID``, ``PROFILE_ID`` and the ``REGION:ACCOUNT``
forms, ``/etc/app/`` (the README's example directory), which becomes the scratch directory, and
``examples/...``, the repository's own files.
Documents other than docs/local.md and docs/upstream.md (which start their own servers) run against a fresh
rolesanywhere-local over HTTPS reached through ``AWS_ENDPOINT_URL`` and ``AWS_CA_BUNDLE``, the
walkthrough's AWS side created from the document's ``ca.pem`` when a placeholder first needs it:
exactly the "remove the endpoint settings to use AWS" switch the docs describe, in reverse.

Usage: docs_commands.py BIN_DIR [DOCUMENT ...]   (BIN_DIR holds release rolesanywhere and
rolesanywhere-local; documents default to README.md and docs/*.md)
"""

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADMIN = {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
         "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
TRUST_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "rolesanywhere.amazonaws.com"},
    "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
    "Condition": {"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "myContainer"}}}]}
PERMISSIONS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}
# What a reader of each document already has, made the way the README's quick start makes it.
PKI_FILES = ("rolesanywhere pki ca --cn 'Demo CA' --out-cert ca.pem --out-key ca.key\n"
             "rolesanywhere pki issue --ca-cert ca.pem --ca-key ca.key --cn myContainer"
             " --out-cert cert.pem --out-key key.pem\n")
PREPARE = {
    "docs/helper.md": PKI_FILES,
    "docs/local.md": PKI_FILES + "echo 'quarterly figures' > report.txt\n",
    "docs/upstream.md": PKI_FILES,
}
# Documents that start their own rolesanywhere-local, as a reader would.
OWN_SERVER = {"docs/local.md": "http://127.0.0.1:4566", "docs/upstream.md": "http://127.0.0.1:4567"}
# Reading `swift build` in a scratch directory as the reader's clone of this package.
SHELL_PRELUDE = """
swift() { if [ "${1:-}" = build ]; then command swift "$@" --package-path "$DOCS_TEST_PACKAGE"; else command swift "$@"; fi; }
"""


class Failure(Exception):
    pass


class Block:
    def __init__(self, document, line, language, text, directive):
        self.document, self.line, self.language, self.text = document, line, language, text
        self.directive = directive

    def where(self):
        return f"{self.document}:{self.line}"


def blocks_of(document):
    """The fenced blocks of a document, each with the docs-test directive just before it."""
    lines = (ROOT / document).read_text().split("\n")
    found, index = [], 0
    while index < len(lines):
        opening = re.match(r"^```(\S*)\s*$", lines[index])
        if opening:
            end = index + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            if end == len(lines):
                raise Failure(f"{document}:{index + 1}: the code block is never closed")
            previous = next((l for l in reversed(lines[:index]) if l.strip()), "")
            directive = re.match(r"^<!--\s*docs-test:\s*(\S+)\s*(.*?)\s*-->\s*$", previous)
            found.append(Block(document, index + 1, opening.group(1), "\n".join(lines[index + 1:end]) + "\n",
                               (directive.group(1), directive.group(2)) if directive else None))
            index = end
        index += 1
    return found


def run(command, env, cwd, timeout=900, check=True):
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise Failure(f"{shlex.join(command)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result


class LocalService:
    """A fresh rolesanywhere-local over HTTPS, with its TLS certificate made by rolesanywhere pki."""

    def __init__(self, bin_dir, directory):
        helper = str(bin_dir / "rolesanywhere")
        for arguments in (["pki", "ca", "--cn", "Docs TLS CA", "--key-type", "p256", "--out-cert", "tls-ca.pem",
                           "--out-key", "tls-ca.key"],
                          ["pki", "issue", "--ca-cert", "tls-ca.pem", "--ca-key", "tls-ca.key", "--cn", "localhost",
                           "--ip", "127.0.0.1", "--key-type", "p256", "--out-cert", "tls.pem", "--out-key", "tls.key"]):
            run([helper, *arguments], os.environ.copy(), directory)
        self.log = open(directory / "local.log", "w")
        self.process = subprocess.Popen(
            [str(bin_dir / "rolesanywhere-local"), "--port", "0", "--state", ":memory:", "--tls-cert", "tls.pem",
             "--tls-key", "tls.key", "--log-level", "notice"],
            cwd=directory, stdout=subprocess.PIPE, stderr=self.log, text=True)
        ready = self.process.stdout.readline().split()
        if not ready or ready[0] != "READY":
            raise Failure(f"rolesanywhere-local did not start: {(directory / 'local.log').read_text()}")
        self.endpoint = f"https://127.0.0.1:{ready[1]}"
        self.ca_bundle = str(directory / "tls-ca.pem")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


class Document:
    """One document's scratch directory, shell environment, server and background processes."""

    def __init__(self, name, bin_dir, scratch):
        self.name, self.bin_dir = name, bin_dir
        self.directory = scratch / re.sub(r"[^A-Za-z0-9]+", "-", name)
        self.directory.mkdir()
        self.background = []
        self.resources = None
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
        self.env.update({
            "PATH": f"{bin_dir}:{self.env['PATH']}",
            "DOCS_TEST_PACKAGE": str(ROOT),
            "AWS_CONFIG_FILE": str(self.directory / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.directory / "aws-credentials"),
            "AWS_DEFAULT_REGION": "us-east-1",
        })
        self.service = None
        if name in OWN_SERVER:
            self.endpoint, self.ca_bundle = OWN_SERVER[name], None
        else:
            self.service = LocalService(bin_dir, self.directory)
            self.endpoint, self.ca_bundle = self.service.endpoint, self.service.ca_bundle
            self.env.update({"AWS_ENDPOINT_URL": self.endpoint, "AWS_CA_BUNDLE": self.ca_bundle})
        if name in PREPARE:
            self.shell(PREPARE[name], "preparing the files the document assumes")

    def close(self):
        for process in self.background:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
            except ProcessLookupError:
                pass
        if self.service:
            self.service.stop()

    # Running blocks

    def shell(self, text, what):
        environment_file = self.directory / ".env"
        script = f"{SHELL_PRELUDE}\n{text}\nenv -0 > {shlex.quote(str(environment_file))}\n"
        result = run(["bash", "-euo", "pipefail", "-c", script], self.env, self.directory, check=False)
        if result.returncode != 0:
            raise Failure(f"{what} exited {result.returncode}:\n{text}\n--- output ---\n{result.stdout}{result.stderr}")
        entries = environment_file.read_bytes().decode().split("\0")
        self.env = dict(entry.split("=", 1) for entry in entries if "=" in entry)
        return result.stdout + result.stderr

    def start_background(self, text, pattern, what):
        log_path = self.directory / f"background-{len(self.background)}.log"
        log = open(log_path, "w")
        process = subprocess.Popen(["bash", "-euo", "pipefail", "-c", f"{SHELL_PRELUDE}\n{text}"], env=self.env,
                                   cwd=self.directory, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.background.append(process)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            output = log_path.read_text()
            if re.search(pattern, output, re.MULTILINE):
                return output
            if process.poll() is not None:
                raise Failure(f"{what} exited {process.returncode} before printing /{pattern}/:\n{text}\n{output}")
            time.sleep(0.2)
        raise Failure(f"{what} did not print /{pattern}/ in time:\n{log_path.read_text()}")

    # Placeholders

    def admin_aws(self, *arguments):
        env = dict(self.env, **ADMIN, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        if self.ca_bundle:
            env["AWS_CA_BUNDLE"] = self.ca_bundle
        output = run(["aws", "--endpoint-url", self.endpoint, "--output", "json", *arguments], env, self.directory)
        return json.loads(output.stdout) if output.stdout.strip() else {}

    def walkthrough_resources(self):
        """The trust anchor, profile and role: the document's own, or the walkthrough's, made now."""
        if self.resources:
            return self.resources
        anchors = self.admin_aws("rolesanywhere", "list-trust-anchors")["trustAnchors"]
        profiles = self.admin_aws("rolesanywhere", "list-profiles")["profiles"]
        if not anchors or not profiles:
            (self.directory / "docs-trust-policy.json").write_text(json.dumps(TRUST_POLICY))
            (self.directory / "docs-policy.json").write_text(json.dumps(PERMISSIONS))
            self.admin_aws("s3api", "create-bucket", "--bucket", "docs-reports")
            role = self.admin_aws("iam", "create-role", "--role-name", "bucket-lister",
                                  "--assume-role-policy-document", "file://docs-trust-policy.json")["Role"]["Arn"]
            self.admin_aws("iam", "put-role-policy", "--role-name", "bucket-lister", "--policy-name", "list-buckets",
                           "--policy-document", "file://docs-policy.json")
            ca = (self.directory / "ca.pem").read_text()
            anchors = [self.admin_aws("rolesanywhere", "create-trust-anchor", "--name", "myPrivateCA", "--enabled",
                                      "--source", f"sourceData={{x509CertificateData={ca}}},sourceType=CERTIFICATE_BUNDLE")
                       ["trustAnchor"]]
            profiles = [self.admin_aws("rolesanywhere", "create-profile", "--name", "bucket-lister", "--enabled",
                                       "--role-arns", role)["profile"]]
        anchor, profile = anchors[0], profiles[0]
        self.resources = {
            "TA_ARN": anchor["trustAnchorArn"], "PROFILE_ARN": profile["profileArn"],
            "ROLE_ARN": profile["roleArns"][0], "TA_ID": anchor["trustAnchorId"], "PROFILE_ID": profile["profileId"],
        }
        return self.resources

    def substitute(self, text):
        if re.search(r"\b(TA_ARN|PROFILE_ARN|ROLE_ARN|TA_ID|PROFILE_ID)\b|REGION:ACCOUNT|::ACCOUNT:", text):
            values = self.walkthrough_resources()
            text = re.sub(r"arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/ID", values["TA_ARN"], text)
            text = re.sub(r"arn:aws:rolesanywhere:REGION:ACCOUNT:profile/ID", values["PROFILE_ARN"], text)
            text = re.sub(r"arn:aws:iam::ACCOUNT:role/NAME", values["ROLE_ARN"], text)
            for name in ("TA_ARN", "PROFILE_ARN", "ROLE_ARN", "TA_ID", "PROFILE_ID"):
                text = re.sub(rf"\b{name}\b", values[name], text)
        # The repository's own files (examples/...) are where the reader's clone has them.
        text = re.sub(r"(?<![\w/.-])examples/", f"{ROOT}/examples/", text)
        return text.replace("/etc/app/", f"{self.directory}/")

    # Synopses

    def check_synopsis(self, block):
        # One command per line; a backslash or an indented line continues the previous one.
        commands = re.sub(r"\\?\n[ \t]+", " ", block.text).split("\n")
        checked = 0
        for command in commands:
            words = command.split()
            if not words or words[0] not in ("rolesanywhere", "rolesanywhere-local"):
                continue
            path = []
            # rolesanywhere-local has no subcommands.
            for word in words[1:] if words[0] == "rolesanywhere" else []:
                if not re.fullmatch(r"[a-z][a-z0-9-]*", word):
                    break
                path.append(word)
            help_text = run([words[0], *path, "--help"], self.env, self.directory).stdout
            for flag in sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", command))):
                if not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", help_text):
                    raise Failure(f"{block.where()}: `{' '.join([words[0], *path])}` has no {flag} (see its --help)")
                checked += 1
        if checked == 0:
            raise Failure(f"{block.where()}: a synopsis without a rolesanywhere flag to check")
        return f"{checked} flags found in --help"

    # One block

    def exercise(self, block):
        kind, argument = block.directive or (None, "")
        if kind == "skip":
            if not argument:
                raise Failure(f"{block.where()}: a skipped block must say where it is exercised")
            return f"not run here: {argument}"
        if kind == "synopsis":
            return self.check_synopsis(block)
        if kind == "file":
            (self.directory / argument).write_text(self.substitute(block.text))
            return f"written to {argument}"
        if kind not in (None, "background"):
            raise Failure(f"{block.where()}: unknown docs-test directive {kind!r}")
        if block.language in ("json", "diff", ""):
            return "output or a file, not a command"
        text = self.substitute(block.text)
        if block.language == "sh":
            if kind == "background":
                self.start_background(text, argument, block.where())
                return f"running in the background (printed /{argument}/)"
            self.shell(text, block.where())
            return "ran"
        if block.language == "python":
            result = run(["python3", "-c", text], self.env, self.directory, check=False)
            if result.returncode != 0:
                raise Failure(f"{block.where()} exited {result.returncode}:\n{result.stdout}{result.stderr}")
            return "ran"
        if block.language == "ini":
            if "credential_process" not in text:
                raise Failure(f"{block.where()}: an ini block without credential_process; mark it")
            with open(self.env["AWS_CONFIG_FILE"], "a") as config:
                config.write(text)
            return "written to AWS_CONFIG_FILE"
        raise Failure(f"{block.where()}: no rule for a {block.language!r} block; mark it with a docs-test comment")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    bin_dir = Path(sys.argv[1]).resolve()
    documents = sys.argv[2:] or ["README.md"] + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))
    failures = 0
    with tempfile.TemporaryDirectory(prefix="docs-test-") as scratch:
        for name in documents:
            print(f"== {name}", flush=True)
            document = None
            try:
                document = Document(name, bin_dir, Path(scratch))
                for block in blocks_of(name):
                    first = block.text.strip().split("\n")[0][:72]
                    print(f"   {block.where():<24} {first}", flush=True)
                    print(f"   {'':<24} -> {document.exercise(block)}", flush=True)
            except (Failure, subprocess.TimeoutExpired, OSError, ValueError, KeyError) as error:
                failures += 1
                print(f"FAIL {name}: {error}", flush=True)
            finally:
                if document:
                    document.close()
    if failures:
        sys.exit(f"{failures} document(s) show commands that do not work as written")
    print("every block of every document is run, checked, or marked with where it is exercised")


if __name__ == "__main__":
    main()
