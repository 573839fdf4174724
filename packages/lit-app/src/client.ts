/**
 * The browser client of a running app: connect, read the state, subscribe to
 * changes and change it. Pages served by an app can also import `/client.js`.
 */
export * from "@lit-app/server/client";
