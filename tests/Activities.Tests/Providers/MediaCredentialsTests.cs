using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using OpenDesign.Workflows.Activities.Providers;
using OpenDesign.Workflows.Contracts;
using WireMock.RequestBuilders;
using static OpenDesign.Workflows.Activities.Tests.Support.ActivityHarness;

namespace OpenDesign.Workflows.Activities.Tests.Providers;

/// <summary>Where keys come from (environment, then media-config.json in OD_MEDIA_CONFIG_DIR &gt; OD_DATA_DIR &gt; projectRoot/.od).</summary>
public sealed class MediaCredentialsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "od-credentials-tests-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private string Dir(string name)
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static void Store(string dir, string openAiKey, string? baseUrl = null) =>
        File.WriteAllText(Path.Combine(dir, "media-config.json"), new JsonObject
        {
            ["providers"] = new JsonObject { ["openai"] = new JsonObject { ["apiKey"] = openAiKey, ["baseUrl"] = baseUrl } },
        }.ToJsonString());

    [Fact]
    public void The_environment_variable_beats_the_stored_key()
    {
        var dir = Dir("cfg");
        Store(dir, "sk-stored-key-aaaa1111");
        var credential = new MediaCredentials(k => k == "OPENAI_API_KEY" ? "sk-env-key-bbbb2222" : null, dir, NullLogger<MediaCredentials>.Instance).For("openai");

        Assert.Equal(CredentialSources.Env, credential.Source);
        Assert.Equal("sk-env-key-bbbb2222", credential.ApiKey);
        Assert.True(credential.Configured);
        Assert.Null(credential.ApiKeyTail);
    }

    [Fact]
    public void A_stored_key_is_used_without_the_variable_and_shows_its_last_four_characters()
    {
        var dir = Dir("cfg");
        Store(dir, "sk-stored-key-aaaa1111", "https://gateway.example/openai/v1/");
        var credential = new MediaCredentials(_ => "  ", dir, NullLogger<MediaCredentials>.Instance).For("openai");

        Assert.Equal(CredentialSources.Stored, credential.Source);
        Assert.Equal("sk-stored-key-aaaa1111", credential.ApiKey);
        Assert.Equal("1111", credential.ApiKeyTail);
        Assert.Equal("https://gateway.example/openai/v1", credential.BaseUrl);
    }

    [Fact]
    public void A_short_stored_key_shows_no_tail()
    {
        var dir = Dir("cfg");
        Store(dir, "abc12");
        var credential = new MediaCredentials(_ => null, dir, NullLogger<MediaCredentials>.Instance).For("openai");

        Assert.True(credential.Configured);
        Assert.Null(credential.ApiKeyTail);
    }

    [Fact]
    public void Without_either_the_provider_is_unset_on_its_default_base_url()
    {
        var credential = new MediaCredentials(_ => null, Dir("empty"), NullLogger<MediaCredentials>.Instance).For("replicate");

        Assert.Equal(CredentialSources.Unset, credential.Source);
        Assert.False(credential.Configured);
        Assert.Equal("https://api.replicate.com/v1", credential.BaseUrl);
    }

    [Fact]
    public void A_stored_base_url_that_is_not_http_leaves_the_provider_unconfigured_rather_than_falling_back()
    {
        var dir = Dir("cfg");
        Store(dir, "sk-stored-key-aaaa1111", "file:///etc/passwd");
        var credentials = new MediaCredentials(_ => null, dir, NullLogger<MediaCredentials>.Instance);
        var credential = credentials.For("openai");

        Assert.False(credential.Configured);
        Assert.Equal("provider not configured: openai. providers.openai.baseUrl in media-config.json must be an absolute http or https URL",
            credentials.NotConfiguredMessage(credential));
    }

    [Fact]
    public void A_key_stored_while_the_service_runs_is_used_by_the_next_call()
    {
        var dir = Dir("cfg");
        var credentials = new MediaCredentials(_ => null, dir, NullLogger<MediaCredentials>.Instance);
        Assert.False(credentials.For("openai").Configured);

        Store(dir, "sk-added-later-cccc3333");

        Assert.Equal("sk-added-later-cccc3333", credentials.For("openai").ApiKey);
    }

    [Fact]
    public void A_malformed_file_counts_as_no_stored_keys()
    {
        var dir = Dir("cfg");
        File.WriteAllText(Path.Combine(dir, "media-config.json"), """{"providers":{"openai":{"apiKey":"sk-broken""");
        var credential = new MediaCredentials(_ => null, dir, NullLogger<MediaCredentials>.Instance).For("openai");

        Assert.Equal(CredentialSources.Unset, credential.Source);
    }

    [Fact]
    public void OD_MEDIA_CONFIG_DIR_beats_OD_DATA_DIR()
    {
        var media = Dir("media");
        var data = Dir("data");
        Store(media, "sk-from-media-dir-1111");
        Store(data, "sk-from-data-dir-2222");

        using var both = new ProviderHarness(new() { ["OD_MEDIA_CONFIG_DIR"] = media, ["OD_DATA_DIR"] = data }, storeKeys: false);
        using var dataOnly = new ProviderHarness(new() { ["OD_MEDIA_CONFIG_DIR"] = "", ["OD_DATA_DIR"] = data }, storeKeys: false);

        Assert.Equal(Path.Combine(media, "media-config.json"), both.Credentials.ConfigFile);
        Assert.Equal("sk-from-media-dir-1111", both.Credentials.For("openai").ApiKey);
        Assert.Equal("sk-from-data-dir-2222", dataOnly.Credentials.For("openai").ApiKey);
    }

    [Fact]
    public void Without_either_directory_the_file_is_in_the_project_roots_od_directory()
    {
        var project = Dir("project");
        Store(Dir(Path.Combine("project", ".od")), "sk-from-project-root-3333");

        using var h = new ProviderHarness(new() { ["OD_MEDIA_CONFIG_DIR"] = null, ["OD_PROJECT_ROOT"] = project }, storeKeys: false);

        Assert.Equal(Path.Combine(project, ".od", "media-config.json"), h.Credentials.ConfigFile);
        Assert.Equal("sk-from-project-root-3333", h.Credentials.For("openai").ApiKey);
    }

    [Fact]
    public async Task The_environment_key_is_the_one_sent()
    {
        using var h = new ProviderHarness(new() { ["OPENAI_API_KEY"] = "sk-env-wins-9999" });
        h.Server.Given(Request.Create().WithPath("/v1/images/generations").UsingPost())
            .RespondWith(Json(200, """{"data":[{"b64_json":"AQID"}]}"""));

        await h.OpenAi.StartAsync(new ProviderJob("task_1", MediaSurfaces.Image, "gpt-image-1", "x"), new MemoryStream(), Ct);

        Assert.Equal("Bearer sk-env-wins-9999", Header(Assert.Single(h.Calls("/v1/images/generations")), "Authorization"));
    }

    [Fact]
    public async Task Without_credentials_the_provider_is_not_configured_naming_the_provider_and_nothing_is_sent()
    {
        using var h = new ProviderHarness(storeKeys: false);
        var file = Path.Combine(h.ConfigDir, "media-config.json");

        var fromGet = Assert.Throws<ProviderException>(() => h.Providers.Get("openai"));
        var fromStart = await Assert.ThrowsAsync<ProviderException>(() =>
            h.OpenAi.StartAsync(new ProviderJob("task_1", MediaSurfaces.Image, "gpt-image-2", "x"), new MemoryStream(), Ct));
        var replicate = Assert.Throws<ProviderException>(() => h.Providers.Get("replicate"));

        Assert.Equal(ProviderFailureKind.NotConfigured, fromGet.Kind);
        Assert.Equal("openai", fromGet.ProviderId);
        Assert.Equal($"provider not configured: openai. Set OPENAI_API_KEY or add providers.openai.apiKey to {file}", fromGet.Message);
        Assert.Equal(fromGet.Message, fromStart.Message);
        Assert.Equal(ProviderFailureKind.NotConfigured, fromStart.Kind);
        Assert.False(fromGet.IsRetryable);
        Assert.Equal($"provider not configured: replicate. Set REPLICATE_API_TOKEN or add providers.replicate.apiKey to {file}", replicate.Message);
        Assert.Empty(h.AllCalls());
    }

    [Fact]
    public void A_configured_provider_is_handed_out()
    {
        using var h = new ProviderHarness();

        Assert.Equal("openai", h.Providers.Get("openai").Id);
        Assert.Equal("replicate", h.Providers.Get("replicate").Id);
    }
}
