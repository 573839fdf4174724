/** Test helpers for lit-app apps: drive an app pass by pass with a fake clock. */
export * from "@lit-app/core/testing";
