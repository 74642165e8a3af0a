# Reference values for src/irtrial/analysis/responders.py and responder_curve.py, computed in
# base R straight from the synthetic replica data/synthetic/ir_wrap_trial.csv (no irtrial code).
# Run from the repository root:  Rscript tests/reference/r/responders.R
# Writes tests/reference/r/responders.json.
#
# Baseline = AVAL at AVISITN 0. Improvement = baseline - value (pain: lower is better).
# Responder: 100 * improvement / baseline >= 30 or >= 50 (baseline 0: non-responder), or
# improvement >= 2 points; a threshold exactly reached counts (1e-9 tolerance).
# missing = "non-responder": all randomised subjects with a baseline, no value -> non-responder;
# missing = "exclude": the subjects with a value at the visit.
suppressPackageStartupMessages(library(jsonlite))
source("tests/reference/r/proportions.R")  # one(): Wilson/Newcombe/MN/RR/OR/Fisher/chi-square

d <- read.csv("data/synthetic/ir_wrap_trial.csv", stringsAsFactors = FALSE)
base <- d[d$AVISITN == 0, c("USUBJID", "ARM", "AVAL")]
names(base)[3] <- "BASE"
base <- base[!is.na(base$BASE), ]
arms <- c("Placebo", "IR")
defs <- list(list(name = "reduction >= 30%", kind = "percent", thr = 30),
             list(name = "reduction >= 50%", kind = "percent", thr = 50),
             list(name = "reduction >= 2 points", kind = "absolute", thr = 2))
tol <- 1e-9

at_visit <- function(v, missing) {
  post <- d[d$AVISIT == v, c("USUBJID", "AVAL")]
  m <- merge(base, post, by = "USUBJID", all.x = TRUE)
  if (missing == "exclude") m <- m[!is.na(m$AVAL), ]
  m
}
improvement <- function(m, kind) {
  r <- m$BASE - m$AVAL
  if (kind == "percent") r <- ifelse(m$BASE == 0, NA, 100 * r / m$BASE)
  r
}

rows <- list()
for (missing in c("non-responder", "exclude")) {
  for (v in paste("Week", 1:6)) {
    m <- at_visit(v, missing)
    for (df in defs) {
      r <- improvement(m, df$kind)
      resp <- !is.na(r) & r >= df$thr - tol * max(1, abs(df$thr))
      x <- sapply(arms, function(a) sum(resp[m$ARM == a]))
      n <- sapply(arms, function(a) sum(m$ARM == a))
      res <- one(x[["IR"]], n[["IR"]], x[["Placebo"]], n[["Placebo"]])
      res$visit <- v; res$definition <- df$name; res$missing <- missing
      res$wilson_placebo <- wilson(x[["Placebo"]], n[["Placebo"]])
      res$nnt <- 1 / abs(res$rd)
      res$nnt_ci_reciprocals <- 1 / abs(res$newcombe)  # 1/|L|, 1/|U|
      rows[[length(rows) + 1]] <- res
    }
  }
}

curve <- list()
for (missing in c("non-responder", "exclude")) {
  m <- at_visit("Week 6", missing)
  r <- improvement(m, "percent")
  for (a in arms) {
    ra <- r[m$ARM == a]
    k <- 0:100
    x <- sapply(k, function(t) sum(!is.na(ra) & ra >= t - tol * max(1, t)))
    curve[[length(curve) + 1]] <- list(missing = missing, arm = a, threshold = k,
                                       n_responders = x, n = length(ra),
                                       percent = 100 * x / length(ra))
  }
}
writeLines(toJSON(list(comparisons = rows, curve = curve), digits = NA, auto_unbox = TRUE,
                  na = "string", pretty = TRUE), "tests/reference/r/responders.json")
