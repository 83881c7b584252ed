using System.Text;
using System.Text.Json;
using CsCheck;

namespace OpenDesign.Workflows.Api.Tests.Fuzz;

/// <summary>The generators: known-good bodies per endpoint, path values per route parameter, and the hostile variations.</summary>
public static class FuzzGens
{
    /// <summary>A body each state-changing endpoint accepts; endpoints that read no body map to null.</summary>
    public static readonly Dictionary<string, string?> Bodies = new()
    {
        ["POST /api/projects"] = """{"name":"fuzz"}""",
        ["POST /api/runs"] = """{"projectId":"{ProjectA}","agentId":"a","message":"m","conversationId":"c","mediaExecution":{"mode":"request-only","allowedSurfaces":["image","audio"],"allowedModels":["m1"]}}""",
        ["POST /api/runs/{id}/finish"] = """{"status":"succeeded"}""",
        ["POST /api/runs/{id}/cancel"] = null,
        ["POST /api/tools/media/generate"] = """{"surface":"image","prompt":"p","model":"m1","output":"o.png","aspect":"1:1","image":"a.png","inputRefs":[{"kind":"artifact","ref":"r"}]}""",
        ["POST /api/media-requests/{id}/cancel"] = null,
        ["POST /api/media-requests/{id}/fail"] = """{"message":"m","code":"C"}""",
        ["POST /api/media-requests/{id}/progress"] = """{"message":"m","percent":5}""",
        ["POST /api/media-requests/{id}/fulfill"] = """{"file":"a.png"}""",
        ["POST /api/projects/{id}/media/generate"] = """{"surface":"image","prompt":"p","model":"gpt-image-2","output":"o.png","aspect":"1:1"}""",
        ["POST /api/media/tasks/{id}/wait"] = """{"since":0,"timeoutMs":0}""",
    };

    private static readonly string[] OddSegments =
    [
        "", "x", "run_000000000000000000000000", "proj_000000000000000000000000", "mreq_000000000000000000000000", "..", "%2e%2e",
        "%2F", "..%2F..%2Fetc", "%00", "%FF", "%C0%AF", "%E2%80%AE", "%F0%9F%98%80", "%ED%A0%80", "a%20b", "%252F", "~", "%", "%zz",
        "run_%00", "mreq_;", "proj_..", "run_" + new string('A', 61), new string('x', 5000), "RUN_0", "run_\u00e9", "%u0000",
    ];

    private static readonly string[] OddFilePaths =
    [
        "a.png", "", "../../app.sqlite", "..%2F..%2Fapp.sqlite", "a/%2e%2e/%2e%2e/app.sqlite", "%00.png", "dir/", "%2Fetc%2Fpasswd",
        "C:%5Cwindows", "a.png%00.txt", new string('y', 300), "con", string.Concat(Enumerable.Repeat("a/", 100)) + "b", "%ED%A0%80",
        ".", "./a.png", "A.PNG", "a.png/", "%2e", "callback.key", "..",
    ];

    private static Gen<PathValue> Ids(Ref proper, params Ref[] others) => Gen.Frequency(
        (6, Gen.Const(new PathValue(proper, null))),
        (3, Gen.OneOf(others.Select(r => new PathValue(r, null)).ToArray())),
        (4, Gen.OneOf(OddSegments.Select(s => new PathValue(null, s)).ToArray())),
        (1, Gen.String[0, 20].Select(s => new PathValue(null, Uri.EscapeDataString(s)))));

    private static readonly Ref[] AllRefs = Enum.GetValues<Ref>();

    /// <summary>
    /// A generator for every route parameter, named with the literal segment before it. The first value of each is the
    /// thing a legitimate caller would name.
    /// </summary>
    public static readonly Dictionary<string, (PathValue Proper, Gen<PathValue> Any)> PathParameters = new()
    {
        ["projects/{id}"] = (new(Ref.ProjectA, null), Ids(Ref.ProjectA, AllRefs)),
        ["runs/{id}"] = (new(Ref.RunA, null), Ids(Ref.RunA, AllRefs)),
        ["runs/{runId}"] = (new(Ref.RunA, null), Ids(Ref.RunA, AllRefs)),
        ["media-requests/{id}"] = (new(Ref.RequestA, null), Ids(Ref.RequestA, AllRefs)),
        ["scalar/{documentName}"] = (new(null, "v1"), Gen.OneOf(new PathValue(null, "v1"), new PathValue(null, "v2"), new PathValue(null, ""))),
        // No task exists in the fuzz world (it has no Temporal): a well-formed unknown id, other refs and odd segments.
        ["tasks/{id}"] = (new(null, "mtask_000000000000000000000000"), Gen.Frequency(
            (2, Gen.Const(new PathValue(null, "mtask_000000000000000000000000"))),
            (3, Gen.OneOf(AllRefs.Select(r => new PathValue(r, null)).ToArray())),
            (4, Gen.OneOf(OddSegments.Select(s => new PathValue(null, s)).ToArray())))),
        ["files/{**path}"] = (new(null, "a.png"), Gen.Frequency(
            (4, Gen.OneOf(OddFilePaths.Select(s => new PathValue(null, s)).ToArray())),
            (1, Gen.String[0, 30].Select(s => new PathValue(null, Uri.EscapeDataString(s)))))),
    };

    // ---- JSON values ----

    private static Fragment Bytes(string name, params byte[][] parts) => new(name, [.. parts.SelectMany(p => p)]);

    private static readonly Fragment[] Edgy =
    [
        Fragment.Json("null"), Fragment.Json("true"), Fragment.Json("false"), Fragment.Json("0"), Fragment.Json("-1"), Fragment.Json("1.5"),
        Fragment.Json("1e308"), Fragment.Json("1e400"), Fragment.Json("-0"), Fragment.Json("123456789012345678901234567890"),
        Fragment.Json("-9223372036854775809"), Fragment.Json("1e-400"), Fragment.Json("100.0000001"),
        Fragment.Json("\"\""), Fragment.Json("\" \""), Fragment.Json("[]"), Fragment.Json("{}"), Fragment.Json("[1,\"a\",null]"),
        Fragment.Json("{\"a\":{}}"), Fragment.Json("\"\\ud800\""), Fragment.Json("\"a\\udc00b\""), Fragment.Json("\"\\u0000\""),
        Fragment.Json("\"\\ufeff\""), Fragment.Json("\"\u202e\""), Fragment.Json("\"😀\""), Fragment.Json("\"a\\\\b\""),
        Fragment.Json("\"../../app.sqlite\""), Fragment.Json("\"/etc/passwd\""), Fragment.Json("\"http://127.0.0.1:1/x\""),
        Fragment.Json("\"file:///etc/passwd\""), Fragment.Json("\"odtt_x\""), Fragment.Json("\"external\""), Fragment.Json("\"enabled\""),
        Fragment.Json("\"disabled\""), Fragment.Json("\"image\""), Fragment.Json("\"video\""), Fragment.Json("\"succeeded\""),
        Fragment.Json("\"a.png\""), Fragment.Json("\"CON\""), Fragment.Json("\"\\r\\n\""), Fragment.Json("\"\\t\""),
        Bytes("\"\\xFF\\xFE\" (invalid UTF-8)", "\""u8.ToArray(), [0xFF, 0xFE], "\""u8.ToArray()),
        Bytes("\"\\xC0\\xAF\" (overlong UTF-8)", "\""u8.ToArray(), [0xC0, 0xAF], "\""u8.ToArray()),
        Bytes("\"\\xED\\xA0\\x80\" (encoded surrogate)", "\""u8.ToArray(), [0xED, 0xA0, 0x80], "\""u8.ToArray()),
        Fragment.Json("{\"mode\":\"external\",\"externalExecutor\":{\"kind\":\"http\",\"id\":\"x\",\"endpoint\":\"http://127.0.0.1:9/s\"}}"),
        Fragment.Json("{\"mode\":\"enabled\"}"), Fragment.Json("{\"mode\":\"disabled\"}"), Fragment.Json("{\"mode\":\"request-only\",\"allowedSurfaces\":[]}"),
    ];

    private static readonly Gen<Fragment> Values = Gen.Frequency(
        (12, Gen.OneOf(Edgy)),
        (2, Gen.String[0, 40].Select(s => Fragment.Json(JsonSerializer.Serialize(s)))),
        (1, Gen.Int[1, 70_000].Select(n => Fragment.Json(JsonSerializer.Serialize(new string('x', n))))),
        (1, Gen.Int[1, 200].Select(n => new Fragment($"nested {n} deep", Encoding.UTF8.GetBytes(new string('[', n) + new string(']', n))))),
        (1, Gen.Int[1, 200].Select(n => new Fragment($"{n} nested objects", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", n)) + "1" + new string('}', n))))),
        (1, Gen.Int[0, 1].Select(n => new Fragment("a string past the 1 MiB body limit", Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new string('y', (1024 * 1024) + n)))))));

    private static readonly Gen<string> PropertyNames = Gen.Frequency(
        (4, Gen.OneOf("name", "projectId", "mediaExecution", "mode", "status", "surface", "prompt", "output", "file", "url", "percent", "message", "code", "x", "", "__proto__", "constructor")),
        (1, Gen.String[0, 12]));

    private static readonly Gen<Mutation> Mutations =
        Gen.Select(Gen.Frequency((3, Gen.Const(MutationKind.Replace)), (2, Gen.Const(MutationKind.Remove)), (2, Gen.Const(MutationKind.AddProperty)),
                (1, Gen.Const(MutationKind.DuplicateFirstKey)), (1, Gen.Const(MutationKind.Truncate)), (1, Gen.Const(MutationKind.InsertByte))),
            Gen.Int[0, 1 << 20], Values, PropertyNames, (kind, target, value, name) => new Mutation(kind, target, value, name));

    public static readonly Gen<BodySpec> MutatedBodies = Mutations.Array[1, 3].Select(m => (BodySpec)new MutatedBody(m));

    private static readonly string[] Multiparts =
    [
        "--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"../../x.png\"\r\nContent-Type: image/png\r\n\r\nabc\r\n--XX--\r\n",
        "--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nabc",
        "--XX\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nabc\r\n--XX--\r\n",
        "--XX\r\nContent-Disposition: form-data; name=\"f\"; filename*=UTF-8''%ED%A0%80.png\r\nContent-Type: image/png\r\n\r\nabc\r\n--XX--\r\n",
        "--XX\r\n\r\n\r\n--XX--",
        "--XX--",
        "name=fuzz&projectId=x",
    ];

    public static readonly Gen<BodySpec> AnyBodies = Gen.Frequency(
        (3, Gen.Byte.Array[0, 512].Select(b => (BodySpec)new RawBody(b, $"{b.Length} random bytes {Convert.ToHexString(b.AsSpan(0, Math.Min(16, b.Length)))}…"))),
        (2, Gen.OneOf(Multiparts).Select(t => (BodySpec)new RawBody(Encoding.UTF8.GetBytes(t), $"text '{t.ReplaceLineEndings("\\r\\n")}'"))),
        (2, Gen.Const((BodySpec)new ProperBody())),
        (2, MutatedBodies),
        (1, Gen.Const((BodySpec)new NoBody())),
        (1, Gen.OneOf("null", "[]", "\"text\"", "42", " ", "{", "{}", "{\"a\":1}{}", "\uFEFF{}").Select(t => (BodySpec)new RawBody(Encoding.UTF8.GetBytes(t), $"JSON text '{t}'"))));

    // ---- headers and query ----

    // JSON half the time, so the bodies still reach the handlers instead of all stopping at the 415.
    public static readonly Gen<string?> ContentTypes = Gen.Frequency((1, Gen.Const((string?)FuzzCase.FitsBody)), (1, Gen.OneOf<string?>(
        null, "application/json; charset=utf-8", "application/json; charset=utf-16", "APPLICATION/JSON", "text/plain",
        "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=XX", "multipart/form-data; boundary=\"\"",
        "image/png", "image/", "audio/mpeg", "video/mp4", "application/octet-stream", "application/problem+json", "application/json-patch+json",
        ";", "a/b; c", "application/json; boundary=x", "", "image/svg+xml", "text/html", "*/*")));

    public static readonly Gen<long?> LengthDeltas = Gen.Frequency(
        (6, Gen.Const((long?)null)), (1, Gen.OneOf<long?>(-1, 1, -100, 1000, 1L << 40, 1024 * 1024)));

    public static readonly Gen<string?> FileNames = Gen.Frequency(
        (6, Gen.Const((string?)null)),
        (1, Gen.OneOf<string?>("../../x.png", "%00", "%ZZ", "%ED%A0%80", "a%2Fb.png", "", new string('n', 600), "poster.png", "..", "CON.png", "%F0%9F%98%80.png")));

    private static readonly Gen<string> QueryValues = Gen.Frequency(
        (5, Gen.OneOf("", "-1", "0", "1", "2", "abc", "9223372036854775807", "9223372036854775808", "1e3", "%201", "%00", "%FF", "%ED%A0%80",
            "true", "false", "null", "running", "succeeded", "canceled", "no", "0x10", "%2B1", "1.0", "501", "500", "%E2%80%AE",
            "mreq_000000000000000000000000", "99999999999999999999999", new string('9', 3000))),
        (1, Gen.String[0, 20].Select(Uri.EscapeDataString)));

    public static readonly Gen<(string, string)[]> Queries = Gen.Select(
        Gen.OneOf("after", "limit", "status", "cursor", "follow", "projectId", "x", ""), QueryValues).Array[0, 3];

    public static readonly Gen<string?> RawAuthorizations = Gen.Frequency(
        (8, Gen.Const((string?)null)),
        (1, Gen.OneOf<string?>("Bearer", "Bearer ", "Basic YTpi", "Bearer odtt_garbage", "Bearer odcb_garbage", "Bearer " + new string('z', 5000),
            "Bearer odtt_" + new string('A', 300), "bearer odtt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "Bearer a\nBearer b", "Bearer \u00e9",
            "Bearer " + FuzzWorld.AdminToken + "x", "Bearer odcb_" + new string('B', 43), "Digest x", "Bearer  odtt_x", "Bearer odtt_")));

    public static readonly Gen<string?> LastEventIds = Gen.Frequency(
        (5, Gen.Const((string?)null)),
        (2, Gen.OneOf<string?>("", "-1", "abc", "99999999999999999999", "1", "0", " 1", "1e2", "9223372036854775807", "+1", "\u0661")));

    public static readonly Gen<string?> Origins = Gen.Frequency(
        (6, Gen.Const((string?)null)),
        (2, Gen.OneOf<string?>("http://localhost", "http://evil.example", "null", "http://localhost:80", "http://[::1", "http://localhost/",
            "http://localhost\nhttp://evil.example", "https://localhost", "file://", "", "http://user@localhost", "http://127.0.0.1")));

    public static readonly Gen<string?> Hosts = Gen.Frequency(
        (6, Gen.Const((string?)null)),
        (2, Gen.OneOf<string?>("evil.example", "127.0.0.1", "[::1]", "localhost:1", "10.0.0.1", "localhost.", "LOCALHOST", "[::1", "a b", "evil.example:80", "0.0.0.0")));

    public static readonly Gen<Auth> Auths = Gen.Enum<Auth>();

    public static readonly Gen<string?> WrongMethods = Gen.Frequency(
        (9, Gen.Const((string?)null)), (1, Gen.OneOf<string?>("PUT", "DELETE", "PATCH", "OPTIONS", "GET", "POST", "HEAD", "TRACE", "FOO")));
}
