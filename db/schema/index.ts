export * from "./labels";
export * from "./series";
export * from "./chunks";
export * from "./wal";
export * from "./metadata";
