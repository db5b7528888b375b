#!/bin/sh
# Fetch again, from the npm registry, the copies of what Great Expectations' Data Docs load from
# CDNs (quality/docs.py, OFFLINE_COPIES), with their licences; SHA256SUMS records them. Run by
# `make offline-assets` when GX's pinned version changes its CDN links, never at run time. Each
# package's licence file is kept beside its copy; popper.js (MIT) and vega (BSD-3-Clause) ship none,
# their README is kept.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
packages="bootstrap@4.3.1 jquery@3.7.1 popper.js@1.12.9 bootstrap-table@1.19.1 bootstrap-datepicker@1.9.0
@fortawesome/fontawesome-free@6.6.0 @forevolve/bootstrap-dark@1.1.0 vega@5.33.1 vega-lite@5.23.0 vega-embed@6.29.0"
cd "$work"
npm pack --silent $packages >/dev/null
take() {  # package tarball, file inside it, copy's path under offline_assets/
    mkdir -p "$here/$(dirname "$3")"
    tar -xzOf "$work/$1" "package/$2" > "$here/$3"
}
take bootstrap-4.3.1.tgz dist/css/bootstrap.min.css bootstrap/bootstrap.min.css
take bootstrap-4.3.1.tgz dist/js/bootstrap.min.js bootstrap/bootstrap.min.js
take bootstrap-4.3.1.tgz LICENSE bootstrap/LICENSE
take jquery-3.7.1.tgz dist/jquery.min.js jquery/jquery.min.js
take jquery-3.7.1.tgz LICENSE.txt jquery/LICENSE.txt
take popper.js-1.12.9.tgz dist/umd/popper.min.js popper/popper.min.js
take popper.js-1.12.9.tgz README.md popper/README.md
take bootstrap-table-1.19.1.tgz dist/bootstrap-table.min.css bootstrap-table/bootstrap-table.min.css
take bootstrap-table-1.19.1.tgz dist/bootstrap-table.min.js bootstrap-table/bootstrap-table.min.js
take bootstrap-table-1.19.1.tgz dist/extensions/filter-control/bootstrap-table-filter-control.min.css \
    bootstrap-table/bootstrap-table-filter-control.min.css
take bootstrap-table-1.19.1.tgz dist/extensions/filter-control/bootstrap-table-filter-control.min.js \
    bootstrap-table/bootstrap-table-filter-control.min.js
take bootstrap-table-1.19.1.tgz LICENSE bootstrap-table/LICENSE
take bootstrap-datepicker-1.9.0.tgz dist/css/bootstrap-datepicker.min.css \
    bootstrap-datepicker/bootstrap-datepicker.min.css
take bootstrap-datepicker-1.9.0.tgz dist/js/bootstrap-datepicker.min.js \
    bootstrap-datepicker/bootstrap-datepicker.min.js
take bootstrap-datepicker-1.9.0.tgz LICENSE bootstrap-datepicker/LICENSE
take fortawesome-fontawesome-free-6.6.0.tgz css/all.min.css fontawesome/css/all.min.css
take fortawesome-fontawesome-free-6.6.0.tgz LICENSE.txt fontawesome/LICENSE.txt
for font in fa-brands-400 fa-regular-400 fa-solid-900 fa-v4compatibility; do
    take fortawesome-fontawesome-free-6.6.0.tgz "webfonts/$font.woff2" "fontawesome/webfonts/$font.woff2"
done
take forevolve-bootstrap-dark-1.1.0.tgz dist/css/bootstrap-prefers-dark.min.css \
    bootstrap-dark/bootstrap-prefers-dark.min.css
take forevolve-bootstrap-dark-1.1.0.tgz LICENSE bootstrap-dark/LICENSE
take vega-5.33.1.tgz build/vega.min.js vega/vega.min.js
take vega-5.33.1.tgz README.md vega/README-vega.md  # its licence (BSD-3-Clause) is stated in package.json
take vega-lite-5.23.0.tgz build/vega-lite.min.js vega/vega-lite.min.js
take vega-lite-5.23.0.tgz LICENSE vega/LICENSE-vega-lite
take vega-embed-6.29.0.tgz build/vega-embed.min.js vega/vega-embed.min.js
take vega-embed-6.29.0.tgz LICENSE vega/LICENSE-vega-embed
cd "$here"
find . -type f ! -name fetch.sh ! -name SHA256SUMS | LC_ALL=C sort | xargs sha256sum > SHA256SUMS
