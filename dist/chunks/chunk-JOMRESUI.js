import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
function e(n){return n.map(t=>/^[\w@%+=:,./-]+$/.test(t)?t:`'${t.replace(/'/g,"'\\''")}'`).join(" ")}export{e as a};
