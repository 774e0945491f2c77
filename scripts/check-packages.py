#!/usr/bin/env python3
"""Checks the packed TaskFlow packages: each role's dependency closure, and each package's metadata.

Usage: check-packages.py PACKAGE_DIR [GLOBAL_PACKAGES_DIR]

The closure of a package is followed through its nuspec dependencies: TaskFlow packages from PACKAGE_DIR, every other
package from the NuGet global packages folder (the restore of the build put them there), so a dependency that a
third-party package brings counts too. Prints one line per check and ends with "package checks: N passed, N failed";
exits 1 when a check failed.
"""
import os
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

# A web node that only calls a cluster references TaskFlow.AspNetCore: no silo, no database driver, no runtime.
WEB_NODE_FORBIDDEN = {"Microsoft.Orleans.Server", "Npgsql", "Microsoft.Data.Sqlite", "TaskFlow.Grains"}
# What each role's package must bring (so the check above cannot pass by losing dependencies altogether).
ROLE_REQUIRES = {
    "TaskFlow.AspNetCore": {"Microsoft.Orleans.Client", "TaskFlow.Grains.Abstractions"},
    "TaskFlow.Grains": {"Microsoft.Orleans.Server"},
    "TaskFlow.Storage.Sqlite": {"Microsoft.Data.Sqlite", "TaskFlow.Grains"},
    "TaskFlow.Storage.PostgreSql": {"Npgsql", "Microsoft.Orleans.Clustering.AdoNet", "Microsoft.Orleans.Reminders.AdoNet", "TaskFlow.Grains"},
    "TaskFlow.Testing": {"TaskFlow.Grains", "TaskFlow.AspNetCore"},
}
ROLE_FORBIDS = {
    "TaskFlow.AspNetCore": WEB_NODE_FORBIDDEN,
    "TaskFlow.Grains.Abstractions": WEB_NODE_FORBIDDEN,
    "TaskFlow.Grains": {"Npgsql", "Microsoft.Data.Sqlite"},
    "TaskFlow.Storage.Sqlite": {"Npgsql"},
    "TaskFlow.Storage.PostgreSql": {"Microsoft.Data.Sqlite"},
}


def local(tag):
    return tag.rsplit("}", 1)[-1]


def read_nuspec(data):
    root = ET.fromstring(data)
    meta = next(e for e in root if local(e.tag) == "metadata")
    fields = {local(e.tag): e for e in meta}
    deps = set()
    for dep in meta.iter():
        if local(dep.tag) == "dependency":
            deps.add((dep.get("id"), dep.get("version") or "0"))
    return fields, deps


def lower_bound(version_range):
    return re.sub(r"^[\[(]\s*", "", version_range).split(",")[0].strip(" )]")


def version_key(version):
    return [int(p) if p.isdigit() else 0 for p in re.split(r"[.-]", version)]


class Feed:
    def __init__(self, package_dir, global_dir):
        self.ours = {}
        for name in os.listdir(package_dir):
            if name.endswith(".nupkg"):
                with zipfile.ZipFile(os.path.join(package_dir, name)) as z:
                    nuspec = next(n for n in z.namelist() if n.endswith(".nuspec") and "/" not in n)
                    fields, deps = read_nuspec(z.read(nuspec))
                    self.ours[fields["id"].text] = (fields, deps, set(z.namelist()), name)
        self.global_dir = global_dir
        self.unresolved = set()

    def dependencies(self, package_id, version):
        if package_id in self.ours:
            return self.ours[package_id][1]
        folder = os.path.join(self.global_dir, package_id.lower())
        if not os.path.isdir(folder):
            self.unresolved.add(package_id)
            return set()
        wanted = lower_bound(version)
        versions = sorted(os.listdir(folder), key=version_key)
        chosen = wanted if wanted in versions else next((v for v in versions if version_key(v) >= version_key(wanted)), None)
        path = chosen and os.path.join(folder, chosen, package_id.lower() + ".nuspec")
        if not path or not os.path.exists(path):
            self.unresolved.add(package_id)
            return set()
        with open(path, "rb") as f:
            return read_nuspec(f.read())[1]

    def closure(self, package_id):
        """Every package reached from package_id, each with the path that brought it first."""
        seen = {package_id: [package_id]}
        todo = [(package_id, "0")]
        while todo:
            current, version = todo.pop()
            for dep_id, dep_version in sorted(self.dependencies(current, version)):
                if dep_id not in seen:
                    seen[dep_id] = seen[current] + [dep_id]
                    todo.append((dep_id, dep_version))
        return seen


def main():
    package_dir = sys.argv[1]
    global_dir = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("NUGET_PACKAGES", os.path.expanduser("~/.nuget/packages"))
    feed = Feed(package_dir, global_dir)
    results = []

    def check(ok, text):
        results.append(ok)
        print(("ok    " if ok else "FAIL  ") + text)

    check(set(ROLE_REQUIRES) | set(ROLE_FORBIDS) <= set(feed.ours),
          f"every role's package was packed (found: {', '.join(sorted(feed.ours))})")
    for package_id in sorted(feed.ours):
        reached = feed.closure(package_id)
        for forbidden in sorted(ROLE_FORBIDS.get(package_id, ())):
            check(forbidden not in reached, f"{package_id} does not bring {forbidden}"
                  + (f" (it does: {' -> '.join(reached[forbidden])})" if forbidden in reached else ""))
        for required in sorted(ROLE_REQUIRES.get(package_id, ())):
            check(required in reached, f"{package_id} brings {required}")
        fields, _, files, file_name = feed.ours[package_id]
        repository = fields.get("repository")
        check(fields.get("license") is not None and "LICENSE" in files, f"{package_id}: licence expression and LICENSE file")
        check(fields.get("icon") is not None and fields["icon"].text in files, f"{package_id}: icon")
        check(fields.get("readme") is not None and fields["readme"].text in files, f"{package_id}: README")
        check(fields.get("projectUrl") is not None and repository is not None and bool(repository.get("url")) and bool(repository.get("commit")),
              f"{package_id}: project URL, repository URL and commit")
        check(os.path.exists(os.path.join(package_dir, file_name[:-len(".nupkg")] + ".snupkg")), f"{package_id}: symbols package")
    if feed.unresolved:
        print("note  not in the global packages folder, closure not followed: " + ", ".join(sorted(feed.unresolved)))
    passed = sum(results)
    failed = len(results) - passed
    print(f"package checks: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
