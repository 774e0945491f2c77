using System.Reflection;
using TaskFlow.IntegrationTests.Browser;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Categories;

/// <summary>Every test class carries the <see cref="TestCategory"/> of what it needs, so the fast subset really is
/// fast: what a class needs is read from its fixtures and from the IL of everything it calls in this assembly.</summary>
public sealed class TestCategoriesTests
{
    private static readonly Module Tests = typeof(TestCategoriesTests).Module;

    /// <summary>Calling one of these (directly or through any helper of this assembly) needs the category.</summary>
    private static readonly (string Category, Func<MethodBase, bool> Is)[] Launchers =
    [
        (TestCategory.Browser, m => typeof(DashboardBrowser).IsAssignableFrom(m.DeclaringType)),
        (TestCategory.Postgres, m => m.DeclaringType == typeof(PostgresServer)),
        (TestCategory.Process, m => (m.DeclaringType == typeof(HostProcess) && m.Name == nameof(HostProcess.Start)) || m.DeclaringType == typeof(ScriptRun)),
    ];

    /// <summary>Being given one of these fixtures (class fixture, collection fixture, constructor) needs the category.</summary>
    private static readonly (string Category, Type Fixture)[] Fixtures =
    [
        (TestCategory.Browser, typeof(DashboardBrowser)),
        (TestCategory.Postgres, typeof(PostgresServer)),
    ];

    [Fact]
    public void Every_test_class_carries_the_category_of_what_it_needs()
    {
        var missing = TestClasses()
            .SelectMany(c => Needs(c).Except(CategoriesOf(c)).Select(category => $"{c.FullName} needs [Trait(\"{TestCategory.Name}\", \"{category}\")]"))
            .ToList();

        Assert.True(missing.Count == 0, string.Join(Environment.NewLine, missing));
    }

    [Theory]
    [InlineData(typeof(DashboardBrowserTests), new[] { TestCategory.Browser })]
    [InlineData(typeof(DashboardLoginTests), new[] { TestCategory.Browser })]
    [InlineData(typeof(Storage.PostgresTaskStoreTests), new[] { TestCategory.Postgres })]
    [InlineData(typeof(Hosts.RealHostTests), new[] { TestCategory.Process })]
    [InlineData(typeof(Hosts.PostgresClusterTests), new[] { TestCategory.Postgres, TestCategory.Process })]
    [InlineData(typeof(Deploy.LocalClusterScriptTests), new[] { TestCategory.Postgres, TestCategory.Process })]
    [InlineData(typeof(Http.TaskEndpointsTests), new string[0])]
    [InlineData(typeof(TestCategoriesTests), new string[0])]
    public void What_a_class_needs_is_seen_through_its_fixtures_and_its_helpers(Type testClass, string[] expected)
    {
        Assert.Equal(expected.Order(StringComparer.Ordinal), Needs(testClass).Order(StringComparer.Ordinal));
    }

    private static IEnumerable<Type> TestClasses() =>
        Tests.Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && !t.IsNested &&
            t.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>().Any()));

    private static IEnumerable<string> CategoriesOf(Type testClass) =>
        testClass.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(TraitAttribute) && (string?)a.ConstructorArguments[0].Value == TestCategory.Name)
            .Select(a => (string)a.ConstructorArguments[1].Value!)
            .Distinct();

    /// <summary>The categories <paramref name="testClass"/> needs: its fixtures', and those of every launcher reachable
    /// from its methods (lambdas and async state machines are nested types of it).</summary>
    private static HashSet<string> Needs(Type testClass)
    {
        var needs = FixturesOf(testClass).SelectMany(f => Fixtures.Where(x => x.Fixture.IsAssignableFrom(f)).Select(x => x.Category)).ToHashSet();
        var seen = new HashSet<MethodBase>();
        var pending = new Queue<MethodBase>(MethodsOf(testClass));
        while (pending.TryDequeue(out var method))
        {
            if (!seen.Add(method)) continue;
            foreach (var called in CallsOf(method))
            {
                needs.UnionWith(Launchers.Where(l => l.Is(called)).Select(l => l.Category));
                if (called.Module == Tests && !seen.Contains(called)) pending.Enqueue(called);
            }
        }
        return needs;
    }

    /// <summary>The methods of <paramref name="type"/>, of its nested types and of its base classes in this assembly.</summary>
    private static IEnumerable<MethodBase> MethodsOf(Type type)
    {
        const BindingFlags all = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
        return type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all))
            .Concat(type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).SelectMany(MethodsOf))
            .Concat(type.BaseType is { } parent && parent.Module == Tests ? MethodsOf(parent) : []);
    }

    /// <summary>What <paramref name="method"/> calls, and for an async method or iterator its state machine's body,
    /// which the framework's builder starts.</summary>
    private static IEnumerable<MethodBase> CallsOf(MethodBase method) =>
        MethodCalls.Of(method).Concat(method.GetCustomAttribute<System.Runtime.CompilerServices.StateMachineAttribute>() is { } machine
            ? MethodsOf(machine.StateMachineType)
            : []);

    /// <summary>Constructor parameters, class fixtures and the fixtures of the class's collection.</summary>
    private static IEnumerable<Type> FixturesOf(Type testClass)
    {
        var fixtures = testClass.GetConstructors().SelectMany(c => c.GetParameters()).Select(p => p.ParameterType)
            .Concat(FixtureArguments(testClass, typeof(IClassFixture<>)));
        var collection = testClass.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType == typeof(CollectionAttribute))?.ConstructorArguments[0].Value as string;
        if (collection is null) return fixtures;
        var definition = Tests.Assembly.GetTypes().FirstOrDefault(t => t.GetCustomAttributesData()
            .Any(a => a.AttributeType == typeof(CollectionDefinitionAttribute) && a.ConstructorArguments.Count > 0 && (string?)a.ConstructorArguments[0].Value == collection));
        return definition is null ? fixtures : fixtures.Concat(FixtureArguments(definition, typeof(ICollectionFixture<>)));
    }

    private static IEnumerable<Type> FixtureArguments(Type type, Type fixtureInterface) =>
        type.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == fixtureInterface).Select(i => i.GetGenericArguments()[0]);
}
