# Convenience targets; each is one script under scripts/.
.PHONY: demo test bench bench-quick dist compare
demo:         ; ./scripts/demo.sh
test:         ; ./scripts/test.sh
bench:        ; ./scripts/bench.sh
bench-quick:  ; ./scripts/bench.sh --quick
dist:         ; ./scripts/check-dist.sh
compare:      ; ./scripts/compare.sh
