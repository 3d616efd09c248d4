export * from "./naive-bayes.js";
