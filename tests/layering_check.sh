#!/usr/bin/env bash
# The engine's layering, checked on the includes: each rule names a folder of proxycore/ and the folders its files
# may not include. The data path (http, runtime, net, pipeline, upstream) never reaches up into the control layer
# (control, admin); runtime/ and http/ sit below the data path; admin/ builds on control/, never the other way. The desktop UI (ui/, beside proxycore/) sees the
# engine only through control/: it includes no other folder of proxycore.
#   layering_check.sh <proxycore dir>
set -euo pipefail
cd "$1"
rules=(
    "http:net pipeline upstream runtime control admin"
    "gemini:net pipeline upstream runtime control admin"
    "runtime:net pipeline upstream control admin"
    "net:control admin"
    "pipeline:control admin"
    "upstream:control admin pipeline"
    "control:admin"
)
bad=0
for rule in "${rules[@]}"; do
    folder=${rule%%:*}
    for banned in ${rule#*:}; do
        if hits=$(grep -rn --include='*.h' --include='*.cpp' "^#include \"$banned/" "$folder"); then
            echo "layering: $folder/ may not include $banned/:" >&2
            echo "$hits" >&2
            bad=1
        fi
    done
done
if hits=$(grep -rn --include='*.h' --include='*.cpp' '^#include "[a-z]*/' ../ui | grep -v '#include "control/'); then
    echo "layering: ui/ may include only control/ of the engine:" >&2
    echo "$hits" >&2
    bad=1
fi
((bad == 0)) && echo "layering: ok"
exit "$bad"
