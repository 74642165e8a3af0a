# Reference values for irtrial.analysis.twosample (Welch t-test, Mann-Whitney + Hodges-Lehmann).
# Run from the repository root:  Rscript tests/reference/r/twosample.R
# Writes tests/reference/r/twosample.json. R 4.2.2, base stats only (+ jsonlite to write JSON).
library(jsonlite)

set.seed(20061)
cases <- list(
  # exact regime: small, continuous, no ties
  list(name = "exact_small", x = round(rnorm(9, -3.5, 1.8), 3), y = round(rnorm(7, -1.2, 1.5), 3)),
  # exact regime, unequal sizes, one-sided alternatives checked below
  list(name = "exact_unequal", x = round(rnorm(5, 0, 1), 4), y = round(rnorm(12, 0.8, 1.3), 4)),
  # ties (integer NRS changes): normal approximation with tie and continuity correction
  list(name = "ties_nrs", x = c(-4, -3, -5, -4, -2, -6, -3, -4, -5, -1, -4, -3),
       y = c(-1, -2, 0, -1, -3, -1, 0, -2, -1, -2)),
  # large samples (>= 50 per arm), no ties: normal approximation without ties
  list(name = "large_no_ties", x = round(rnorm(55, -2, 2), 6), y = round(rnorm(60, -1, 2), 6)),
  # large with ties
  list(name = "large_ties", x = round(rnorm(52, -2, 2)), y = round(rnorm(51, -1, 2))),
  # exact regime where the shift CI is wide (few subjects)
  list(name = "exact_tiny", x = c(1.1, 2.3, 0.4), y = c(-0.2, 3.1, 0.9, 1.7))
)

run <- function(cs, alternative, conf_level, exact = NULL, correct = TRUE) {
  w <- t.test(cs$x, cs$y, var.equal = FALSE, alternative = alternative, conf.level = conf_level)
  warn <- character(0)
  m <- withCallingHandlers(
    wilcox.test(cs$x, cs$y, conf.int = TRUE, alternative = alternative, conf.level = conf_level,
                exact = exact, correct = correct),
    warning = function(wn) { warn <<- c(warn, conditionMessage(wn)); invokeRestart("muffleWarning") })
  list(
    name = cs$name, alternative = alternative, conf_level = conf_level,
    exact = if (is.null(exact)) NA else exact, correct = correct, x = cs$x, y = cs$y,
    welch = list(estimate = unname(w$estimate[1] - w$estimate[2]), std_error = unname(w$stderr),
                 df = unname(w$parameter), statistic = unname(w$statistic), p_value = w$p.value,
                 ci_lower = w$conf.int[1], ci_upper = w$conf.int[2]),
    wilcox = list(estimate = unname(m$estimate), statistic = unname(m$statistic), p_value = m$p.value,
                  ci_lower = m$conf.int[1], ci_upper = m$conf.int[2], method = m$method,
                  achieved_conf_level = attr(m$conf.int, "conf.level"), warnings = warn)
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

# the synthetic replica, change and percent change at the last visit (IR vs Placebo)
path <- "data/synthetic/ir_wrap_trial.csv"
if (file.exists(path)) {
  d <- read.csv(path)
  base <- d[d$AVISITN == min(d$AVISITN), c("USUBJID", "AVAL")]
  names(base)[2] <- "BASE"
  last <- d[d$AVISITN == max(d$AVISITN) & !is.na(d$AVAL), c("USUBJID", "ARM", "AVAL")]
  e <- merge(last, base, by = "USUBJID")
  e <- e[!is.na(e$BASE), ]
  e$CHG <- e$AVAL - e$BASE
  e$PCHG <- ifelse(e$BASE == 0, NA, 100 * e$CHG / e$BASE)
  arms <- sort(unique(e$ARM))
  ctl <- if ("Placebo" %in% arms) "Placebo" else arms[1]
  act <- setdiff(arms, ctl)[1]
  for (v in c("CHG", "PCHG")) {
    cs <- list(name = paste0("synthetic_", v), x = e[[v]][e$ARM == act & !is.na(e[[v]])],
               y = e[[v]][e$ARM == ctl & !is.na(e[[v]])])
    out[[length(out) + 1]] <- run(cs, "two.sided", 0.95)
  }
}

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/r/twosample.json")
