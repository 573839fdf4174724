import { describe, expect, it } from "vitest";
import { appModuleByKey, appModuleKey } from "./module-keys.ts";

describe("the keys of an app's modules", () => {
  it("are their paths from the app's folder, the same on any machine, and found again beside the app's module there", () => {
    const laptop = "/home/ann/projects/nb/app.ts";
    const host = "file:///home/u/.lit/apps/nb/app.ts";
    const modules = ["notebook.ts", "lib/model.ts", "../shared/util.ts", "app.ts"];
    for (const key of modules) {
      const here = `/home/ann/projects/nb/${key}`.replace("nb/../", "");
      expect(appModuleKey(laptop, here)).toBe(key);
      expect(appModuleKey(`file://${laptop}`, `file://${here}`)).toBe(key);
      expect(appModuleKey(host, appModuleByKey(host, key))).toBe(key);
    }
    expect(appModuleByKey(host, "lib/model.ts")).toBe("file:///home/u/.lit/apps/nb/lib/model.ts");
    expect(appModuleByKey(host, "../shared/util.ts")).toBe("file:///home/u/.lit/apps/shared/util.ts");
    // A file name URLs would read otherwise stays a file name.
    expect(appModuleByKey(host, "my notebook#1.ts")).toBe("file:///home/u/.lit/apps/nb/my%20notebook%231.ts");
  });
});
