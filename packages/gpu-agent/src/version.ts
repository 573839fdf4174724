/** The agent's version: the package's (a test keeps the two equal). */
export const AGENT_VERSION = "0.1.0";
