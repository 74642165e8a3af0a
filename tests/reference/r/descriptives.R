# Reference for irtrial.analysis.descriptives (baseline_table, visit_summary) on the shipped
# replica data/synthetic/ir_wrap_trial.csv. Base R only: mean, sd, quantile(type = 7),
# t.test()$conf.int, table(). Run from the repository root:
#   Rscript tests/reference/r/descriptives.R > tests/reference/r/descriptives.json
library(jsonlite)
d <- read.csv("data/synthetic/ir_wrap_trial.csv", stringsAsFactors = FALSE)
base <- d[d$AVISIT == "Week 0", ]
post <- d[d$AVISIT != "Week 0", ]
post$BASE <- base$AVAL[match(post$USUBJID, base$USUBJID)]
post$CHG <- post$AVAL - post$BASE
analysed <- unique(post$USUBJID[!is.na(post$AVAL)])
desc <- function(y) {
  y <- y[!is.na(y)]
  q <- quantile(y, c(0.25, 0.5, 0.75), type = 7, names = FALSE)
  ci <- if (length(y) > 1) t.test(y, conf.level = 0.95)$conf.int else c(NA, NA)
  list(n = length(y), mean = mean(y), sd = if (length(y) > 1) sd(y) else NA,
       median = q[2], q1 = q[1], q3 = q[3], min = min(y), max = max(y),
       ci_lower = ci[1], ci_upper = ci[2])
}
arms <- c("Placebo", "IR")
# Table 1: every randomised subject (one row per subject)
subj <- base[!duplicated(base$USUBJID), ]
t1 <- list()
for (a in c(arms, "Total")) {
  s <- if (a == "Total") subj else subj[subj$ARM == a, ]
  for (v in c("AVAL", "AGE", "PAINDUR")) {
    t1[[length(t1) + 1]] <- c(list(variable = if (v == "AVAL") "baseline" else v, arm = a), desc(s[[v]]))
  }
  tab <- table(factor(s$SEX, levels = c("F", "M")))
  for (lv in names(tab)) {
    t1[[length(t1) + 1]] <- list(variable = "SEX", arm = a, level = lv, n = unname(tab[[lv]]),
                                 percent = 100 * tab[[lv]] / sum(tab))
  }
}
# by visit: analysed subjects; baseline value at Week 0, value and change after
vs <- list()
for (a in arms) {
  b <- base[base$ARM == a & base$USUBJID %in% analysed, ]
  vs[[length(vs) + 1]] <- c(list(variable = "value", visit = "Week 0", arm = a), desc(b$AVAL))
  for (w in sort(unique(post$AVISITN))) {
    p <- post[post$ARM == a & post$AVISITN == w & post$USUBJID %in% analysed, ]
    lab <- p$AVISIT[1]
    vs[[length(vs) + 1]] <- c(list(variable = "value", visit = lab, arm = a), desc(p$AVAL))
    vs[[length(vs) + 1]] <- c(list(variable = "change", visit = lab, arm = a), desc(p$CHG))
  }
}
cat(toJSON(list(baseline_table = t1, visit_summary = vs), auto_unbox = TRUE, digits = NA,
           na = "null", pretty = TRUE))
