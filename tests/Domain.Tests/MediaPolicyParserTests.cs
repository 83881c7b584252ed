using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Policy;
using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>Every <c>mediaExecution</c> input the service accepts (and the effective policy it echoes) or refuses (and the exact 400 message).</summary>
public sealed class MediaPolicyParserTests
{
    private const string ObjectMessage = "mediaExecution must be an object when provided";
    private const string ModeMessage = "mediaExecution.mode must be enabled, disabled, request-only, or external";
    private const string SurfacesArray = "mediaExecution.allowedSurfaces must be an array";
    private const string SurfacesValues = "mediaExecution.allowedSurfaces may only include image, video, or audio";
    private const string ModelsArray = "mediaExecution.allowedModels must be an array";
    private const string ModelsValues = "mediaExecution.allowedModels must contain non-empty strings";
    private const string ExecutorRequired = "mediaExecution.externalExecutor is required when mode is external";
    private const string ExecutorOnlyExternal = "mediaExecution.externalExecutor is only allowed when mode is external";
    private const string ExecutorObject = "mediaExecution.externalExecutor must be an object";
    private const string Kind = "mediaExecution.externalExecutor.kind must be http";
    private const string Id = "mediaExecution.externalExecutor.id must be a non-empty string";
    private const string Endpoint = "mediaExecution.externalExecutor.endpoint must be an absolute http or https URL";
    private const string CancelEndpoint = "mediaExecution.externalExecutor.cancelEndpoint must be an absolute http or https URL";
    private const string AuthObject = "mediaExecution.externalExecutor.auth must be an object";
    private const string AuthKind = "mediaExecution.externalExecutor.auth.kind must be none, bearer-env, or header-env";
    private const string AuthEnv = "mediaExecution.externalExecutor.auth.env must be an environment variable name";
    private const string AuthHeader = "mediaExecution.externalExecutor.auth.header must be an HTTP header name";

    private const string Ep = "\"kind\":\"http\",\"endpoint\":\"https://exec.example/submit\"";

    [Fact]
    public void A_missing_policy_is_the_default_enabled_policy()
    {
        Assert.Equal("""{"mode":"enabled"}""", Effective(MediaPolicyParser.Parse(null)));
        Assert.Same(MediaExecutionPolicy.Default, MediaPolicyParser.Parse(null));
    }

    public static TheoryData<string, string> Accepted => new()
    {
        // null, empty and non-string modes mean enabled, as in Open Design
        { "null", """{"mode":"enabled"}""" },
        { "{}", """{"mode":"enabled"}""" },
        { """{"mode":null}""", """{"mode":"enabled"}""" },
        { """{"mode":5}""", """{"mode":"enabled"}""" },
        { """{"mode":true}""", """{"mode":"enabled"}""" },
        { """{"mode":["disabled"]}""", """{"mode":"enabled"}""" },
        { """{"mode":"enabled"}""", """{"mode":"enabled"}""" },
        { """{"mode":"disabled"}""", """{"mode":"disabled"}""" },
        { """{"mode":"request-only"}""", """{"mode":"request-only"}""" },
        // surfaces: duplicates removed, order kept, empty array kept (unrestricted), null omitted
        { """{"allowedSurfaces":["video","image","video","audio","image"]}""", """{"mode":"enabled","allowedSurfaces":["video","image","audio"]}""" },
        { """{"mode":"disabled","allowedSurfaces":[]}""", """{"mode":"disabled","allowedSurfaces":[]}""" },
        { """{"allowedSurfaces":null}""", """{"mode":"enabled"}""" },
        // models: trimmed, then de-duplicated; empty array kept
        { """{"allowedModels":[" gpt-image-1 ","gpt-image-1","flux\t","Flux"]}""", """{"mode":"enabled","allowedModels":["gpt-image-1","flux","Flux"]}""" },
        { """{"mode":"request-only","allowedModels":[]}""", """{"mode":"request-only","allowedModels":[]}""" },
        { """{"allowedModels":null}""", """{"mode":"enabled"}""" },
        // unknown keys are dropped
        { """{"mode":"disabled","extra":1,"allowedSurfaces":["audio"],"nested":{"a":1}}""", """{"mode":"disabled","allowedSurfaces":["audio"]}""" },
        // a null executor counts as absent outside external mode
        { """{"mode":"disabled","externalExecutor":null}""", """{"mode":"disabled"}""" },
        // external: the smallest executor, the URL normalised
        { """{"mode":"external","externalExecutor":{"kind":"http","endpoint":"https://exec.example/submit"}}""",
          """{"mode":"external","externalExecutor":{"kind":"http","endpoint":"https://exec.example/submit"}}""" },
        { """{"mode":"external","externalExecutor":{"kind":"http","endpoint":"HTTP://Exec.Example:8080"}}""",
          """{"mode":"external","externalExecutor":{"kind":"http","endpoint":"http://exec.example:8080/"}}""" },
        // external: every field, id trimmed, unknown executor and auth keys dropped
        { """{"mode":"external","allowedSurfaces":["image"],"externalExecutor":{"kind":"http","id":" gpu-1 ","endpoint":"http://127.0.0.1:9000/submit?x=1","cancelEndpoint":"https://exec.example/cancel","auth":{"kind":"bearer-env","env":"OD_EXEC_TOKEN","header":"X-Ignored","value":"secret"},"secret":"s3cr3t"}}""",
          """{"mode":"external","allowedSurfaces":["image"],"externalExecutor":{"kind":"http","endpoint":"http://127.0.0.1:9000/submit?x=1","id":"gpu-1","cancelEndpoint":"https://exec.example/cancel","auth":{"kind":"bearer-env","env":"OD_EXEC_TOKEN"}}}""" },
        { With("'auth':{'kind':'header-env','env':'_exec_key2','header':'X-Api-Key'}"),
          """{"mode":"external","externalExecutor":{"kind":"http","endpoint":"https://exec.example/submit","auth":{"kind":"header-env","env":"_exec_key2","header":"X-Api-Key"}}}""" },
        // auth none keeps nothing else; a null auth is no auth
        { With("'auth':{'kind':'none','env':'IGNORED'}"),
          """{"mode":"external","externalExecutor":{"kind":"http","endpoint":"https://exec.example/submit","auth":{"kind":"none"}}}""" },
        { With("'auth':null,'id':null,'cancelEndpoint':null"),
          """{"mode":"external","externalExecutor":{"kind":"http","endpoint":"https://exec.example/submit"}}""" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Accepted_input_gives_the_effective_policy(string input, string effective) =>
        Assert.Equal(effective, Effective(MediaPolicyParser.Parse(Json.Parse(input))));

    [Theory]
    [InlineData("""{"mode":"\ud800"}""")]
    [InlineData("""{"allowedSurfaces":["\ud800"]}""")]
    [InlineData("""{"allowedModels":["m","\udc00"]}""")]
    [InlineData("{\"mode\":\"external\"," + "\"externalExecutor\":{\"kind\":\"http\",\"endpoint\":\"https://exec.example/\\ud800\"}}")]
    public void A_string_that_is_not_text_is_400_not_an_exception(string input) =>
        Refusal.Expect(() => MediaPolicyParser.Parse(Json.Parse(input)), 400, ErrorCodes.BadRequest,
            "the request body holds a string that is not valid Unicode text (invalid UTF-8 or a lone surrogate)");

    public static TheoryData<string, string> Refused => new()
    {
        // not an object
        { "[]", ObjectMessage },
        { """[{"mode":"disabled"}]""", ObjectMessage },
        { "\"disabled\"", ObjectMessage },
        { "5", ObjectMessage },
        { "true", ObjectMessage },
        // an unknown mode string lists all four modes
        { """{"mode":"request_only"}""", ModeMessage },
        { """{"mode":"Enabled"}""", ModeMessage },
        { """{"mode":""}""", ModeMessage },
        { """{"mode":"off"}""", ModeMessage },
        // surfaces
        { """{"allowedSurfaces":"image"}""", SurfacesArray },
        { """{"allowedSurfaces":{"0":"image"}}""", SurfacesArray },
        { """{"allowedSurfaces":5}""", SurfacesArray },
        { """{"allowedSurfaces":["image","3d"]}""", SurfacesValues },
        { """{"allowedSurfaces":["Image"]}""", SurfacesValues },
        { """{"allowedSurfaces":[5]}""", SurfacesValues },
        { """{"allowedSurfaces":[null]}""", SurfacesValues },
        { """{"allowedSurfaces":[""]}""", SurfacesValues },
        // models
        { """{"allowedModels":"flux"}""", ModelsArray },
        { """{"allowedModels":{}}""", ModelsArray },
        { """{"allowedModels":[""]}""", ModelsValues },
        { """{"allowedModels":["flux","   "]}""", ModelsValues },
        { """{"allowedModels":[5]}""", ModelsValues },
        { """{"allowedModels":[null]}""", ModelsValues },
        { """{"allowedModels":[["flux"]]}""", ModelsValues },
        // checked in order: mode, surfaces, models, executor
        { """{"mode":"nope","allowedSurfaces":"x","allowedModels":"y"}""", ModeMessage },
        { """{"allowedSurfaces":"x","allowedModels":"y"}""", SurfacesArray },
        { """{"mode":"external","allowedModels":[""]}""", ModelsValues },
        // executor required exactly for external
        { """{"mode":"external"}""", ExecutorRequired },
        { """{"mode":"external","externalExecutor":null}""", ExecutorRequired },
        { "{\"mode\":\"enabled\",\"externalExecutor\":{" + Ep + "}}", ExecutorOnlyExternal },
        { "{\"externalExecutor\":{" + Ep + "}}", ExecutorOnlyExternal },
        { """{"mode":"request-only","externalExecutor":{}}""", ExecutorOnlyExternal },
        { """{"mode":"external","externalExecutor":"https://exec.example"}""", ExecutorObject },
        { """{"mode":"external","externalExecutor":[]}""", ExecutorObject },
        // kind
        { """{"mode":"external","externalExecutor":{"endpoint":"https://exec.example"}}""", Kind },
        { """{"mode":"external","externalExecutor":{"kind":"grpc","endpoint":"https://exec.example"}}""", Kind },
        { """{"mode":"external","externalExecutor":{"kind":"HTTP","endpoint":"https://exec.example"}}""", Kind },
        { """{"mode":"external","externalExecutor":{"kind":5,"endpoint":"https://exec.example"}}""", Kind },
        // id
        { With("'id':''"), Id },
        { With("'id':'   '"), Id },
        { With("'id':7"), Id },
        { With("'id':'" + new string('x', 201) + "'"), Id },
        // endpoint: absolute http(s), a host, no user info
        { """{"mode":"external","externalExecutor":{"kind":"http"}}""", Endpoint },
        { """{"mode":"external","externalExecutor":{"kind":"http","endpoint":null}}""", Endpoint },
        { """{"mode":"external","externalExecutor":{"kind":"http","endpoint":5}}""", Endpoint },
        { """{"mode":"external","externalExecutor":{"kind":"http","endpoint":""}}""", Endpoint },
        { """{"mode":"external","externalExecutor":{"kind":"http","endpoint":"ftp://exec.example/submit"}}""", Endpoint },
        { """{"mode":"external","externalExecutor":{"kind":"http","endpoint":"file:///etc/passwd"}}""", Endpoint },
        { """{"mode":"external","externalExecutor":{"kind":"http","endpoint":"/submit"}}""", Endpoint },
        { """{"mode":"external","externalExecutor":{"kind":"http","endpoint":"exec.example/submit"}}""", Endpoint },
        { """{"mode":"external","externalExecutor":{"kind":"http","endpoint":"http://"}}""", Endpoint },
        { """{"mode":"external","externalExecutor":{"kind":"http","endpoint":"https://user:pw@exec.example/submit"}}""", Endpoint },
        { """{"mode":"external","externalExecutor":{"kind":"http","endpoint":"https://user@exec.example/submit"}}""", Endpoint },
        { With("'cancelEndpoint':'ws://exec.example/cancel'"), CancelEndpoint },
        { With("'cancelEndpoint':'https://a:b@exec.example/cancel'"), CancelEndpoint },
        { With("'cancelEndpoint':false"), CancelEndpoint },
        // auth
        { With("'auth':'bearer-env'"), AuthObject },
        { With("'auth':[]"), AuthObject },
        { With("'auth':{}"), AuthKind },
        { With("'auth':{'kind':'basic'}"), AuthKind },
        { With("'auth':{'kind':'bearer'}"), AuthKind },
        { With("'auth':{'kind':3}"), AuthKind },
        // auth.env names a variable; it is never a secret value
        { With("'auth':{'kind':'bearer-env'}"), AuthEnv },
        { With("'auth':{'kind':'bearer-env','env':''}"), AuthEnv },
        { With("'auth':{'kind':'bearer-env','env':'1TOKEN'}"), AuthEnv },
        { With("'auth':{'kind':'bearer-env','env':'EXEC-TOKEN'}"), AuthEnv },
        { With("'auth':{'kind':'bearer-env','env':'$EXEC_TOKEN'}"), AuthEnv },
        { With("'auth':{'kind':'bearer-env','env':'sk live 123'}"), AuthEnv },
        { With("'auth':{'kind':'bearer-env','env':5}"), AuthEnv },
        { With("'auth':{'kind':'bearer-env','env':'" + new string('A', 129) + "'}"), AuthEnv },
        { With("'auth':{'kind':'header-env','header':'X-Key'}"), AuthEnv },
        // header-env needs a valid header name, never Idempotency-Key (the service sends that itself)
        { With("'auth':{'kind':'header-env','env':'KEY'}"), AuthHeader },
        { With("'auth':{'kind':'header-env','env':'KEY','header':''}"), AuthHeader },
        { With("'auth':{'kind':'header-env','env':'KEY','header':'X Key'}"), AuthHeader },
        { With("'auth':{'kind':'header-env','env':'KEY','header':'X-Key:'}"), AuthHeader },
        { With("'auth':{'kind':'header-env','env':'KEY','header':9}"), AuthHeader },
        { With("'auth':{'kind':'header-env','env':'KEY','header':'Idempotency-Key'}"), AuthHeader },
        { With("'auth':{'kind':'header-env','env':'KEY','header':'idempotency-key'}"), AuthHeader },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Refused_input_gives_400_with_the_exact_message(string input, string message) =>
        Refusal.Expect(() => MediaPolicyParser.Parse(Json.Parse(input)), 400, ErrorCodes.BadRequest, message);

    [Fact]
    public void The_unknown_mode_message_names_all_four_modes()
    {
        Assert.Equal(ModeMessage, MediaPolicyParser.ModeMessage);
        foreach (var mode in MediaExecutionModes.All) Assert.Contains(mode, ModeMessage, StringComparison.Ordinal);
    }

    /// <summary>An external policy whose executor has a valid kind and endpoint plus <paramref name="extra"/> members (single quotes stand for double).</summary>
    private static string With(string extra) => "{\"mode\":\"external\",\"externalExecutor\":{" + Ep + "," + extra.Replace('\'', '"') + "}}";

    private static string Effective(MediaExecutionPolicy policy) =>
        JsonSerializer.Serialize(policy, OdJsonContext.Default.MediaExecutionPolicy);
}
