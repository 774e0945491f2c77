using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace TaskFlow;

/// <summary>Where <see cref="TaskFlowOptions"/> come from: the <c>TaskFlow</c> configuration section, then the code's
/// <c>o =&gt; …</c> (code wins), validated when the host starts.</summary>
public static class TaskFlowOptionsRegistration
{
    /// <summary>Binds <see cref="TaskFlowOptions"/> to the <c>TaskFlow</c> section once, adds <paramref name="configure"/>
    /// after the binding, and validates at start: a setting out of range stops the host with an error naming it.</summary>
    public static IServiceCollection AddTaskFlowOptions(this IServiceCollection services, IConfiguration configuration,
        Action<TaskFlowOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (!services.Any(d => d.ServiceType == typeof(BoundMarker)))
        {
            services.AddSingleton<BoundMarker>();
            services.AddOptions<TaskFlowOptions>()
                .Bind(configuration.GetSection(TaskFlowOptions.SectionName))
                .ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TaskFlowOptions>, Validator>());
        }
        if (configure is not null) services.Configure(configure);
        return services;
    }

    /// <summary>The options as the host will see them, read now: the settings that shape the host (cluster mode,
    /// storage provider, ports) are needed while services are being added.</summary>
    public static TaskFlowOptions Read(IConfiguration configuration, Action<TaskFlowOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(TaskFlowOptions.SectionName).Get<TaskFlowOptions>() ?? new TaskFlowOptions();
        configure?.Invoke(options);
        return options;
    }

    private sealed class BoundMarker;

    private sealed class Validator : IValidateOptions<TaskFlowOptions>
    {
        public ValidateOptionsResult Validate(string? name, TaskFlowOptions options)
        {
            var failures = options.Validate().ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
