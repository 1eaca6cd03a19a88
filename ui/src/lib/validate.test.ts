import { describe, expect, it } from "vitest";
import {
  looksLikeOtpauth,
  secretHint,
  validateCounter,
  validateDigits,
  validateLabel,
  validateNames,
  validateNewPassword,
  validateNotes,
  validatePassword,
  validatePeriod,
  validateSecret,
  validateTags,
} from "./validate";

describe("validateSecret", () => {
  it("accepts base32 as sites show it", () => {
    expect(validateSecret("JBSWY3DPEHPK3PXP")).toBeNull();
    expect(validateSecret("jbsw y3dp ehpk 3pxp")).toBeNull();
    expect(validateSecret("JBSW-Y3DP-EHPK-3PXP")).toBeNull();
    expect(validateSecret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")).toBeNull();
    expect(validateSecret("MFRGG===")).toBeNull();
  });

  it("says what is wrong and where", () => {
    expect(validateSecret("")).toMatch(/Enter the secret/);
    expect(validateSecret("  - ")).toMatch(/Enter the secret/);
    expect(validateSecret("JBSW0Y3DP")).toMatch(/position 5.*base32 has no 0/);
    expect(validateSecret("JBSW!")).toMatch(/“!” at position 5/);
    expect(validateSecret("MF=RGG")).toMatch(/Padding/);
    // 1, 3 or 6 symbols over a multiple of 8 cannot be whole bytes.
    expect(validateSecret("JBSWY3DPE")).toMatch(/9 characters/);
    expect(validateSecret("JBS")).toMatch(/missing or extra/);
    expect(validateSecret("A".repeat(1025))).toMatch(/longer than 1024/);
  });

  it("hints at short keys without refusing them", () => {
    expect(secretHint("JBSWY3DP")).toMatch(/shorter/);
    expect(secretHint("JBSWY3DPEHPK3PXP")).toBeNull();
    expect(secretHint("JBSW0")).toBeNull();
  });
});

describe("account fields", () => {
  it("needs an issuer or a name", () => {
    expect(validateNames("", " ")).toMatch(/issuer, a name, or both/);
    expect(validateNames("GitHub", "")).toBeNull();
    expect(validateNames("", "alice")).toBeNull();
  });

  it("keeps labels to one bounded line", () => {
    expect(validateLabel("GitHub", "issuer")).toBeNull();
    expect(validateLabel("a\nb", "issuer")).toMatch(/one line/);
    expect(validateLabel("x".repeat(201), "issuer")).toMatch(/200/);
    expect(validateLabel("é".repeat(200), "issuer")).toBeNull();
  });

  it("checks digits, period and counter per kind", () => {
    expect(validateDigits("6", "totp")).toBeNull();
    expect(validateDigits("10", "hotp")).toBeNull();
    expect(validateDigits("5", "totp")).toMatch(/6 to 10/);
    expect(validateDigits("11", "totp")).toMatch(/6 to 10/);
    expect(validateDigits("six", "totp")).toMatch(/6 to 10/);
    expect(validateDigits("", "steam")).toBeNull();
    expect(validatePeriod("30", "totp")).toBeNull();
    expect(validatePeriod("0", "totp")).toMatch(/at least 1/);
    expect(validatePeriod("1.5", "totp")).toMatch(/whole number/);
    expect(validatePeriod(String(10 * 365 * 24 * 3600 + 1), "totp")).not.toBeNull();
    expect(validatePeriod("0", "hotp")).toBeNull();
    expect(validateCounter("", "hotp")).toBeNull();
    expect(validateCounter("18446744073709551615", "hotp")).toBeNull();
    expect(validateCounter("18446744073709551616", "hotp")).toMatch(/whole number/);
    expect(validateCounter("-1", "hotp")).toMatch(/whole number/);
    expect(validateCounter("x", "totp")).toBeNull();
  });

  it("bounds tags and notes", () => {
    expect(validateTags(["work", "home"])).toBeNull();
    expect(validateTags(Array.from({ length: 21 }, (_, i) => `t${i}`))).toMatch(/20 tags/);
    expect(validateTags(["x".repeat(41)])).toMatch(/40/);
    expect(validateNotes("x".repeat(10_000))).toBeNull();
    expect(validateNotes("x".repeat(10_001))).toMatch(/10000/);
  });
});

describe("passwords", () => {
  it("needs an unlock password and bounds it in bytes", () => {
    expect(validatePassword("")).toMatch(/Enter/);
    expect(validatePassword("x")).toBeNull();
    expect(validatePassword("é".repeat(513))).toMatch(/1024 bytes/);
  });

  it("asks new passwords to be long enough and repeated", () => {
    expect(validateNewPassword("short", "short").password).toMatch(/at least 8/);
    expect(validateNewPassword("long enough", "long enough")).toEqual({ password: null, again: null });
    expect(validateNewPassword("long enough", "long enougH").again).toMatch(/differ/);
  });
});

describe("looksLikeOtpauth", () => {
  it("recognises otpauth links", () => {
    expect(looksLikeOtpauth(" otpauth://totp/x?secret=A")).toBe(true);
    expect(looksLikeOtpauth("OTPAUTH-MIGRATION://offline?data=x")).toBe(true);
    expect(looksLikeOtpauth("https://example.com")).toBe(false);
  });
});
