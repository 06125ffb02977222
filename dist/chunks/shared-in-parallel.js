var{load:__dpaLoad,define:__dpaDefine}=require("./load.js");
async function o(a,i,n){let e=[...a],s=async()=>{for(let t=e.shift();t!==void 0;t=e.shift())await n(t).catch(l=>{throw e.length=0,l})};await Promise.all(Array.from({length:i},s))}Object.defineProperty(exports,"__esModule",{value:!0}),Object.assign(exports,{a:o});
