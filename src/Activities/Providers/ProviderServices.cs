using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OpenDesign.Workflows.Activities.Providers.OpenAi;
using OpenDesign.Workflows.Activities.Providers.Replicate;
using OpenDesign.Workflows.Domain;

namespace OpenDesign.Workflows.Activities.Providers;

public static class ProviderServices
{
    /// <summary>
    /// The enabled-mode providers, their credentials and their HTTP clients. <paramref name="settings"/> looks up a
    /// setting by name (the host's configuration, which includes the environment): provider keys and the media config
    /// directory (<c>OD_MEDIA_CONFIG_DIR</c> &gt; <c>OD_DATA_DIR</c> &gt; <c>&lt;projectRoot&gt;/.od</c>).
    /// </summary>
    public static IServiceCollection AddMediaProviders(this IServiceCollection services, Func<string, string?> settings)
    {
        var configDir = DataRoot.Resolve(
            FirstNonBlank(settings("OD_MEDIA_CONFIG_DIR"), settings("OD_DATA_DIR")), settings("OD_PROJECT_ROOT"),
            Directory.GetCurrentDirectory(), Environment.GetEnvironmentVariable("HOME"));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(s => new MediaCredentials(settings, configDir, s.GetRequiredService<ILogger<MediaCredentials>>()));
        // Images and speech answer in one request that may take a couple of minutes; job polls answer quickly.
        services.AddHttpClient(ProviderClients.HttpClientName(OpenAiProvider.ProviderId), c => c.Timeout = TimeSpan.FromMinutes(5));
        services.AddHttpClient(ProviderClients.HttpClientName(ReplicateProvider.ProviderId), c => c.Timeout = TimeSpan.FromMinutes(1));
        // Videos are large; the download of one may take a while on a slow link.
        services.AddHttpClient(ProviderDownloads.HttpClientName, c => c.Timeout = TimeSpan.FromMinutes(10));
        services.AddSingleton<ProviderClients>();
        services.AddSingleton<ProviderDownloads>();
        services.AddSingleton<IMediaProvider, OpenAiProvider>();
        services.AddSingleton<IMediaProvider, ReplicateProvider>();
        services.AddSingleton<MediaProviders>();
        services.AddSingleton<IMediaProviders>(s => s.GetRequiredService<MediaProviders>());
        return services;
    }

    private static string? FirstNonBlank(string? a, string? b) => !string.IsNullOrWhiteSpace(a) ? a : b;
}
