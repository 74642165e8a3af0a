# Reference for tests/mmrm/test_mixedlm.py: random intercept + slope model on fev_data by nlme::lme.
# Run from the repository root:  Rscript tests/reference/r/mmrm_mixedlm_slope.R
library(nlme)
d <- read.csv("tests/reference/sas/fev_data.csv", na.strings = "NA")
d$ARMCD <- factor(d$ARMCD, levels = c("PBO", "TRT"))
d$AVISIT <- factor(d$AVISIT, levels = c("VIS1", "VIS2", "VIS3", "VIS4"))
d <- d[!is.na(d$FEV1), ]
out <- list()
for (m in c("REML", "ML")) {
  f <- lme(FEV1 ~ ARMCD * AVISIT, random = ~ 1 + VISITN | USUBJID, data = d, method = m,
           control = lmeControl(opt = "optim", msMaxIter = 1000, tolerance = 1e-10,
                                msTol = 1e-12, niterEM = 200))
  G <- as.matrix(getVarCov(f))
  out[[m]] <- list(
    neg2loglik = -2 * as.numeric(logLik(f)),
    G = unname(G), residual = f$sigma^2,
    beta = unname(fixef(f)), se = unname(sqrt(diag(vcov(f)))), terms = names(fixef(f))
  )
}
fmt <- function(x) paste0("[", paste(sprintf("%.12g", x), collapse = ", "), "]")
cat("{\n")
for (m in names(out)) {
  o <- out[[m]]
  cat(sprintf('"%s": {"neg2loglik": %.12g, "G": [%s, %s], "residual": %.12g,\n', m,
              o$neg2loglik, fmt(o$G[1, ]), fmt(o$G[2, ]), o$residual))
  cat(sprintf('  "beta": %s,\n  "se": %s,\n  "terms": [%s]}%s\n', fmt(o$beta), fmt(o$se),
              paste0('"', o$terms, '"', collapse = ", "), ifelse(m == "ML", "", ",")))
}
cat("}\n")
