using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenDesign.Workflows.Activities.Providers;
using OpenDesign.Workflows.Activities.Executor;
using OpenDesign.Workflows.Domain.Files;
using OpenDesign.Workflows.Workflows;

namespace OpenDesign.Workflows.Activities;

public static class ActivityServices
{
    /// <summary>The external-media activities and their executor client, as the worker and the tests build them.</summary>
    public static IServiceCollection AddMediaRequestActivities(this IServiceCollection services, string publicBaseUrl, TimeSpan? executorTimeout = null)
    {
        services.AddHttpClient(ExecutorClientFactory.HttpClientName, c => c.Timeout = executorTimeout ?? TimeSpan.FromSeconds(30));
        services.AddSingleton<ExecutorClientFactory>();
        services.AddSingleton<ExecutorAuthHeaders>();
        services.AddSingleton(new CallbackUrls(publicBaseUrl));
        services.AddScoped<IMediaRequestActivities, MediaRequestActivities>();
        return services.AddResultDownloads();
    }

    /// <summary>The media-task activities; the provider adapters (<see cref="IMediaProviders"/>) are registered by whoever has them.</summary>
    public static IServiceCollection AddMediaTaskActivities(this IServiceCollection services)
    {
        services.TryAddSingleton<IMediaProviders, UnconfiguredMediaProviders>();
        services.AddScoped<IMediaTaskActivities, MediaTaskActivities>();
        return services;
    }

    /// <summary>
    /// The HTTP download of a result URL (<see cref="ResultDownloader"/>): a <c>{"url"}</c> fulfil needs it in every mode,
    /// the activities in external mode. Registering it twice is harmless.
    /// </summary>
    public static IServiceCollection AddResultDownloads(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(ResultDownloader))) return services;
        services.AddHttpClient(ResultDownloader.HttpClientName, c => c.Timeout = TimeSpan.FromMinutes(5));
        services.AddSingleton<ResultDownloader>();
        services.AddSingleton<IResultDownloader>(s => s.GetRequiredService<ResultDownloader>());
        return services;
    }
}
