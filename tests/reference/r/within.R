# Reference values for irtrial.analysis.within (paired t, Wilcoxon signed rank + pseudo-median CI).
# Run from the repository root:  Rscript tests/reference/r/within.R
# Writes tests/reference/r/within.json. R 4.2.2, base stats only (+ jsonlite).
library(jsonlite)

set.seed(20062)
cases <- list(
  list(name = "exact_small", x = round(rnorm(11, -3.9, 1.7), 4)),          # exact, no ties
  list(name = "exact_tiny", x = c(-1.3, -0.2, -2.7, 0.6)),                  # exact, CI not achievable
  list(name = "ties_nrs", x = c(-4, -3, -5, -4, -2, -6, -3, -4, -5, -1, -4, -3, 2)),  # ties
  list(name = "zeros_nrs", x = c(-1, -2, 0, -1, -3, -1, 0, -2, -1, -2, 1, 0)),        # zeros and ties
  list(name = "large_no_ties", x = round(rnorm(60, -1.5, 2), 6)),          # n >= 50
  list(name = "large_ties", x = round(rnorm(70, -1, 2)))
)

run <- function(cs, alternative, conf_level, exact = NULL, correct = TRUE) {
  t1 <- t.test(cs$x, alternative = alternative, conf.level = conf_level)
  warn <- character(0)
  w <- withCallingHandlers(
    wilcox.test(cs$x, conf.int = TRUE, alternative = alternative, conf.level = conf_level,
                exact = exact, correct = correct),
    warning = function(wn) { warn <<- c(warn, conditionMessage(wn)); invokeRestart("muffleWarning") })
  list(
    name = cs$name, alternative = alternative, conf_level = conf_level,
    exact = if (is.null(exact)) NA else exact, correct = correct, x = cs$x,
    t = list(estimate = unname(t1$estimate), std_error = unname(t1$stderr), df = unname(t1$parameter),
             statistic = unname(t1$statistic), p_value = t1$p.value,
             ci_lower = t1$conf.int[1], ci_upper = t1$conf.int[2]),
    wilcox = list(estimate = unname(w$estimate), statistic = unname(w$statistic), p_value = w$p.value,
                  ci_lower = w$conf.int[1], ci_upper = w$conf.int[2], method = w$method,
                  achieved_conf_level = attr(w$conf.int, "conf.level"), warnings = warn)
  )
}

out <- list()
for (cs in cases) {
  out[[length(out) + 1]] <- run(cs, "two.sided", 0.95)
  # forced normal approximation, with and without continuity correction
  out[[length(out) + 1]] <- run(cs, "two.sided", 0.95, exact = FALSE)
  out[[length(out) + 1]] <- run(cs, "greater", 0.95, exact = FALSE, correct = FALSE)
  out[[length(out) + 1]] <- run(cs, "less", 0.95)
  out[[length(out) + 1]] <- run(cs, "greater", 0.90)
}

# the synthetic replica: change at the last visit, per arm
path <- "data/synthetic/ir_wrap_trial.csv"
if (file.exists(path)) {
  d <- read.csv(path)
  base <- d[d$AVISITN == min(d$AVISITN), c("USUBJID", "AVAL")]
  names(base)[2] <- "BASE"
  last <- d[d$AVISITN == max(d$AVISITN) & !is.na(d$AVAL), c("USUBJID", "ARM", "AVAL")]
  e <- merge(last, base, by = "USUBJID")
  e <- e[!is.na(e$BASE), ]
  e$CHG <- e$AVAL - e$BASE
  for (a in sort(unique(e$ARM))) {
    out[[length(out) + 1]] <- run(list(name = paste0("synthetic_", a), x = e$CHG[e$ARM == a]),
                                  "two.sided", 0.95)
  }
}

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/r/within.json")
