#!/usr/bin/env bash
# The Python bindings (python/) and Cordon inside Spark: a JRE from Debian's
# packages, a throwaway virtualenv with maturin, pyarrow, pandas, polars,
# pytest and pyspark from PyPI, the extension built with maturin, and the
# pytest suite (bindings against `cordon check`, then PySpark in local[2]
# over a generated 200,000-row Parquet file). Called by .ci/run; runs alone
# too: `bash .ci/python.sh` from the repository's root.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v java >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq default-jre-headless >/dev/null
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq default-jre-headless >/dev/null
  fi
fi
java -version 2>&1 | sed -n 1p

venv=$(mktemp -d)/venv
python3 -m venv "$venv"
# PySpark 4 does not yet support pandas 3 (it warns), hence the bound.
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "maturin>=1.5,<2" "pytest>=7" "pyarrow>=14" "pandas>=1.5,<3" "polars>=0.20" "pyspark>=3.5"
"$venv/bin/python" -c 'import pyspark, pyarrow; print("pyspark", pyspark.__version__, "pyarrow", pyarrow.__version__)'

# The CLI the bindings are compared with.
cargo build --quiet --bin cordon
# The extension, installed into the virtualenv (release: Spark checks 200,000 rows).
(cd python && VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" maturin develop --release --quiet)
# Spark's Python workers must run the virtualenv's interpreter too.
PYSPARK_PYTHON="$venv/bin/python" CORDON_BIN="$PWD/target/debug/cordon" "$venv/bin/python" -m pytest -q -p no:cacheprovider python/tests
rm -rf "$(dirname "$venv")"
