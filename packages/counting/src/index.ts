export * from "./naive-bayes.js";
export * from "./kneser-ney.js";
