#!/usr/bin/env bash
# tools/deps.sh GROUP... - install the Debian packages a group needs.
#   build: compile inkpipe (and run it: tesseract-ocr-fra + -eng read the labels
#          of forms found without a template)     test: run `make test`
#   bench: peers for `make bench` (tesseract, ocrad, gocr; time, convert;
#          tiffcp for bench/tiff_pages.sh)
#   fuzz: clang for libFuzzer    slurm: see tests/slurm/start-cluster.sh
#   model: the fonts `make model` trains on (Hershey stroke fonts and the
#          handwriting TrueType/OpenType fonts; docs/model.md)
# As root, missing packages are installed with apt-get; otherwise the exact
# command is printed and the script fails. With --check first, nothing is
# ever installed: missing packages are named with the command that installs
# them (`make deps`), and the script fails (this is what `make test` does).
set -eu
check=0
if [ "${1:-}" = --check ]; then
    check=1
    shift
fi
pkgs=()
for g in "$@"; do
    case $g in
    build) pkgs+=(gcc make pkg-config libleptonica-dev libopenblas-dev
                  libtiff-dev libpng-dev libjpeg-dev libyaml-dev zlib1g-dev
                  libdeflate-dev libfreetype-dev libjansson-dev libqpdf-dev
                  libpoppler-glib-dev libcairo2-dev libjbig2dec0-dev
                  libtesseract-dev tesseract-ocr-eng tesseract-ocr-fra) ;;
    test) pkgs+=(libxml2-utils hershey-fonts-data valgrind imagemagick strace jq
                 poppler-utils qpdf chromium libtiff-tools
                 fonts-dejavu-core groff-base man-db
                 universal-ctags) ;;
    bench) pkgs+=(tesseract-ocr tesseract-ocr-eng ocrad gocr hershey-fonts-data time imagemagick
                  libtiff-tools) ;;
    fuzz) pkgs+=(clang) ;;
    model) pkgs+=(hershey-fonts-data fonts-dkg-handwriting fonts-humor-sans
                  fonts-breip fonts-femkeklaver fonts-rufscript fonts-sjfonts
                  fonts-bwht fonts-comic-neue) ;;
    slurm) pkgs+=(munge slurm-client slurmctld slurmd) ;;
    *) echo "deps.sh: unknown group '$g'" >&2; exit 2 ;;
    esac
done
missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ $check -eq 1 ]; then
    echo "deps: missing packages: ${missing[*]}" >&2
    echo "  install them with: make deps   (as root; or apt-get install -y --no-install-recommends ${missing[*]})" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    echo "deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "deps: missing packages; run as root:" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
