// COM+ catalog stand-in (COMAdmin.COMAdminCatalog as complus.ts drives it), over the host's
// comPlus table. An application's `Value(name)` is a parameterized property on real COM; an
// indexer renamed to Value gives PowerShell the same `$app.Value('IsEnabled') = $false` syntax.
// Changes wait for SaveChanges, as the catalog's do.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace DeployRollupShim
{
    public class ComCatalog
    {
        private readonly IDictionary apps;
        public ComCatalog(IDictionary apps) { this.apps = apps; }

        internal IDictionary Find(string name)
        {
            foreach (DictionaryEntry e in apps)
                if (string.Equals((string)e.Key, name, StringComparison.OrdinalIgnoreCase)) return (IDictionary)e.Value;
            return null;
        }

        public ComCollection GetCollection(string name)
        {
            if (name != "Applications") throw new ArgumentException("no collection " + name);
            var items = new List<ComApp>();
            foreach (DictionaryEntry e in apps) items.Add(new ComApp((string)e.Key, (IDictionary)e.Value));
            return new ComCollection(this, items);
        }

        private IDictionary Require(string name)
        {
            IDictionary app = Find(name);
            if (app == null) throw new InvalidOperationException("The object you have added to the catalog could not be found. (Exception from HRESULT: 0x80110809)");
            return app;
        }

        public void ShutdownApplication(string name) { Require(name)["running"] = false; }

        public void StartApplication(string name)
        {
            IDictionary app = Require(name);
            if (!(bool)app["enabled"]) throw new InvalidOperationException("The component has been disabled. (Exception from HRESULT: 0x80004005 (E_FAIL))");
            app["running"] = true;
        }
    }

    public class ComCollection
    {
        private readonly ComCatalog catalog;
        private readonly List<ComApp> items;
        private readonly IDictionary instancesOf;
        private int count;
        internal ComCollection(ComCatalog catalog, List<ComApp> items) { this.catalog = catalog; this.items = items; }
        internal ComCollection(IDictionary instancesOf) { this.instancesOf = instancesOf; }

        public int Count { get { return count; } }
        public void Populate()
        {
            if (instancesOf != null) count = (bool)instancesOf["running"] ? 1 : 0;
            else count = items.Count;
        }
        public ComApp Item(int index) { return items[index]; }
        public ComCollection GetCollection(string name, object key)
        {
            if (name != "ApplicationInstances") throw new ArgumentException("no collection " + name);
            IDictionary app = catalog.Find((string)key);
            if (app == null) throw new InvalidOperationException("The object you have added to the catalog could not be found. (Exception from HRESULT: 0x80110809)");
            return new ComCollection(app);
        }
        public int SaveChanges()
        {
            int n = 0;
            foreach (ComApp app in items) n += app.Commit();
            return n;
        }
    }

    public class ComApp
    {
        private readonly IDictionary state;
        private readonly Dictionary<string, object> pending = new Dictionary<string, object>();
        public ComApp(string name, IDictionary state) { Name = name; this.state = state; }
        public string Name { get; private set; }
        public string Key { get { return Name; } }

        [IndexerName("Value")]
        public object this[string property]
        {
            get
            {
                object v;
                if (pending.TryGetValue(property, out v)) return v;
                if (property == "IsEnabled") return state["enabled"];
                if (property == "Name") return Name;
                throw new ArgumentException("unknown property " + property);
            }
            set { pending[property] = value; }
        }

        internal int Commit()
        {
            int n = 0;
            foreach (KeyValuePair<string, object> p in pending)
            {
                if (p.Key == "IsEnabled") { state["enabled"] = Convert.ToBoolean(p.Value); n++; }
            }
            pending.Clear();
            return n;
        }
    }
}
