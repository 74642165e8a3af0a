# Reference values for irtrial.analysis.mixed_anova: arm x visit split-plot ANOVA, complete cases.
# Run from the repository root:  Rscript tests/reference/r/mixed_anova.R
# Writes tests/reference/r/mixed_anova.json and tests/reference/r/mixed_anova_three_arms.csv
# (the hand-made long input, in the shape read_trial reads). R 4.2.2, base stats (+ jsonlite).
# Model: aov(y ~ arm * visit + Error(subject / visit)) on the subjects seen at every visit;
# sphericity-assumed F tests.
library(jsonlite)

fit_case <- function(name, d) {
  # d: subject, arm, visit (ordered labels), y (NA = missing); listwise deletion first
  miss <- unique(d$subject[is.na(d$y)])
  cc <- d[!d$subject %in% miss, ]
  cc$subject <- factor(cc$subject); cc$arm <- factor(cc$arm); cc$visit <- factor(cc$visit)
  s <- summary(aov(y ~ arm * visit + Error(subject / visit), data = cc))
  b <- s[["Error: subject"]][[1]]; w <- s[["Error: subject:visit"]][[1]]
  rn <- function(x) trimws(rownames(x))
  tab <- data.frame(
    term = c("arm", "visit", "arm:visit"),
    ss = c(b[rn(b) == "arm", "Sum Sq"], w[rn(w) == "visit", "Sum Sq"], w[rn(w) == "arm:visit", "Sum Sq"]),
    num_df = c(b[rn(b) == "arm", "Df"], w[rn(w) == "visit", "Df"], w[rn(w) == "arm:visit", "Df"]),
    den_df = c(b[rn(b) == "Residuals", "Df"], rep(w[rn(w) == "Residuals", "Df"], 2)),
    f_value = c(b[rn(b) == "arm", "F value"], w[rn(w) == "visit", "F value"], w[rn(w) == "arm:visit", "F value"]),
    p_value = c(b[rn(b) == "arm", "Pr(>F)"], w[rn(w) == "visit", "Pr(>F)"], w[rn(w) == "arm:visit", "Pr(>F)"]))
  list(name = name, dropped = I(as.character(sort(miss))), n_subjects = nlevels(cc$subject), anova = tab)
}

set.seed(20065)
# three arms, 5 visits (baseline + 4), one subject with a missing visit
n <- c(Placebo = 8, Low = 7, High = 9)
subj <- sprintf("T%02d", seq_len(sum(n)))
arm <- rep(names(n), n)
visits <- paste("Week", 0:4)
d3 <- expand.grid(v = 0:4, i = seq_along(subj))
d3$subject <- subj[d3$i]; d3$arm <- arm[d3$i]; d3$visit <- paste("Week", d3$v)
slope <- c(Placebo = -0.3, Low = -0.6, High = -1.0)[d3$arm]
u <- rnorm(length(subj), 0, 1)[d3$i]
d3$y <- round(7 + u + slope * d3$v + rnorm(nrow(d3), 0, 0.8), 2)
d3$y[d3$subject == "T05" & d3$v == 3] <- NA
write.csv(data.frame(USUBJID = d3$subject, ARM = d3$arm, AVISIT = d3$visit, AVISITN = d3$v, AVAL = d3$y),
          "tests/reference/r/mixed_anova_three_arms.csv", row.names = FALSE, na = "")
out <- list(fit_case("three_arms", d3[, c("subject", "arm", "visit", "y")]))

path <- "data/synthetic/ir_wrap_trial.csv"
if (file.exists(path)) {
  d <- read.csv(path)
  # every randomised subject at every visit (weeks 0-6), missing values explicit
  g <- expand.grid(USUBJID = unique(d$USUBJID), AVISIT = unique(d$AVISIT), stringsAsFactors = FALSE)
  g <- merge(g, unique(d[, c("USUBJID", "ARM")]), by = "USUBJID")
  g <- merge(g, d[, c("USUBJID", "AVISIT", "AVAL")], by = c("USUBJID", "AVISIT"), all.x = TRUE)
  out[[2]] <- fit_case("synthetic_value", data.frame(subject = g$USUBJID, arm = g$ARM, visit = g$AVISIT, y = g$AVAL))
  # change from baseline over weeks 1-6
  b <- d[d$AVISITN == 0, c("USUBJID", "AVAL")]; names(b)[2] <- "BASE"
  g2 <- merge(g[g$AVISIT != "Week 0", ], b, by = "USUBJID", all.x = TRUE)
  out[[3]] <- fit_case("synthetic_change", data.frame(subject = g2$USUBJID, arm = g2$ARM, visit = g2$AVISIT,
                                                      y = g2$AVAL - g2$BASE))
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, dataframe = "rows"),
           "tests/reference/r/mixed_anova.json")
