#!/bin/sh
# Fetch the console's JavaScript from the npm registry at pinned versions and copy the minified dist
# files and licences here (no build step; `make vendor` runs this). The copies are committed.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT="$HERE/vendor"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
# name@version  dist file  licence file(s)
fetch() {
    pkg=$1; dist=$2; target=$3; shift 3
    npm pack --silent "$pkg" >/dev/null
    tgz=$(ls -t ./*.tgz | head -1)
    mkdir -p unpack && rm -rf unpack/* && tar xzf "$tgz" -C unpack && rm "$tgz"
    cp "unpack/package/$dist" "$OUT/$target"
    found=0
    for lic in "$@"; do
        if [ -f "unpack/package/$lic" ]; then cp "unpack/package/$lic" "$OUT/${target%.js}.$(basename "$lic")"; found=1; fi
    done
    if [ $found = 0 ]; then
        # the package ships no licence file (alpinejs): its package.json licence with the MIT text
        node -e 'const p=require("./unpack/package/package.json");
          console.log(`${p.name} ${p.version}: licence "${p.license}" (package.json; the npm package ships no licence file)\n`);
          if (p.license === "MIT") console.log(`MIT License\n\nCopyright (c) ${typeof p.author === "string" ? p.author : (p.author||{}).name || p.name} and contributors\n\n` +
          "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\n" +
          "The above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.\n\n" +
          "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.")' \
          > "$OUT/${target%.js}.LICENSE"
    fi
}
mkdir -p "$OUT"
fetch htmx.org@2.0.11  dist/htmx.min.js            htmx-2.0.11.min.js      LICENSE
fetch alpinejs@3.14.9  dist/cdn.min.js             alpinejs-3.14.9.min.js  LICENSE LICENSE.md
fetch cytoscape@3.33.1 dist/cytoscape.min.js       cytoscape-3.33.1.min.js LICENSE
fetch echarts@5.6.0    dist/echarts.common.min.js  echarts-5.6.0.common.min.js LICENSE NOTICE
