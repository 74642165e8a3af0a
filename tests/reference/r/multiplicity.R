# Reference values for src/irtrial/analysis/multiplicity.py.
# Run from the repository root:  Rscript tests/reference/r/multiplicity.R
# Writes tests/reference/r/multiplicity.json: p.adjust (bonferroni, holm, hochberg) and the
# fixed-sequence adjusted p-values cummax(p) (testing in the given order).
suppressPackageStartupMessages(library(jsonlite))
families <- list(
  visits = c(0.0021, 0.0134, 0.0402, 0.0110, 0.2650, 0.0009),  # six weekly visits
  ties = c(0.01, 0.01, 0.03, 0.03, 0.5),
  endpoints = c(0.049, 0.051, 0.0001, 0.8, 1, 0.02, 0.03),
  single = c(0.04),
  tiny = c(1e-12, 3e-8, 0.2, 0.00049)
)
out <- lapply(families, function(p) list(
  p = p,
  bonferroni = p.adjust(p, "bonferroni"),
  holm = p.adjust(p, "holm"),
  hochberg = p.adjust(p, "hochberg"),
  fixed_sequence = cummax(p)
))
writeLines(toJSON(out, digits = NA, pretty = TRUE), "tests/reference/r/multiplicity.json")
